// The options every client subcommand shares (client_options.h): flags first, then the
// environment, then defaults. Runs on main's thread before any connection is made.
#include "cmd/client_options.h"

#include <pwd.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>

#include "lib/names.h"

namespace chatctl::cmd {
namespace {

constexpr const char* kDefaultUrl = "ws://127.0.0.1:7447";

std::string FromEnv(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

// The login name, lowercased; "user" when it cannot be a chatctl user name (open mode only needs
// some name, and a refusal over the login name would surprise more than "user").
std::string DefaultUser() {
  const passwd* pw = getpwuid(geteuid());
  if (pw == nullptr || pw->pw_name == nullptr) return "user";
  std::string name = pw->pw_name;
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return IsValidUserName(name) ? name : "user";
}

}  // namespace

void AddClientOptions(CLI::App& app, ClientOptions& options) {
  app.add_option("-u,--url", options.url,
                 "Node URL, or a comma-separated failover list (env CHATCTL_URL; default " +
                     std::string(kDefaultUrl) + ")")
      ->type_name("URL[,URL...]");
  app.add_option("--token", options.token, "Token to log in with (env CHATCTL_TOKEN)")
      ->type_name("TOKEN");
  app.add_option("--as", options.as_user,
                 "User name to claim on an open-mode node (default: your login name)")
      ->type_name("USER");
}

void ResolveClientOptions(ClientOptions& options) {
  if (options.url.empty()) options.url = FromEnv("CHATCTL_URL");
  if (options.url.empty()) options.url = kDefaultUrl;
  if (options.token.empty()) options.token = FromEnv("CHATCTL_TOKEN");
  if (options.as_user.empty()) options.as_user = DefaultUser();
}

}  // namespace chatctl::cmd
