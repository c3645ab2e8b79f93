// The options every client subcommand shares (client_options.h): flags first, then the
// environment, then defaults. Runs on main's thread before any connection is made.
#include "cmd/client_options.h"

#include <pwd.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "lib/names.h"
#include "lib/utf8.h"

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

// The first line of `path`, without its line end: a file written by `echo` or an editor ends in a
// newline that is no part of the password.
Result<std::string> ReadPasswordFile(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "re");
  if (file == nullptr) {
    return Error{"bad_request", "cannot open password file " + path + ": " + std::strerror(errno)};
  }
  char* line = nullptr;
  std::size_t capacity = 0;
  errno = 0;
  ssize_t n = getline(&line, &capacity, file);
  int read_errno = errno;
  std::string password = n > 0 ? std::string(line, static_cast<std::size_t>(n)) : std::string();
  std::free(line);
  std::fclose(file);
  if (n < 0 && read_errno != 0) {
    return Error{"bad_request",
                 "cannot read password file " + path + ": " + std::strerror(read_errno)};
  }
  if (!password.empty() && password.back() == '\n') password.pop_back();
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.empty()) {
    return Error{"bad_request",
                 "password file " + path + " is empty (its first line is the password)"};
  }
  return password;
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
                 "User name to claim on an open-mode node, or to log in as with a password "
                 "(default: your login name)")
      ->type_name("USER");
}

void AddPasswordOption(CLI::App& app, ClientOptions& options) {
  // A file or the environment, never an argument: the command line is visible in ps to everyone.
  app.add_option("--password-file", options.password_file,
                 "Log in as --as with the password on the first line of FILE "
                 "(env CHATCTL_PASSWORD holds the password itself)")
      ->type_name("FILE");
}

void ResolveClientOptions(ClientOptions& options) {
  if (options.url.empty()) options.url = FromEnv("CHATCTL_URL");
  if (options.url.empty()) options.url = kDefaultUrl;
  if (options.token.empty()) options.token = FromEnv("CHATCTL_TOKEN");
  if (options.as_user.empty()) options.as_user = DefaultUser();
}

Result<Credentials> LoginCredentials(const ClientOptions& options) {
  Credentials credentials{options.token, options.as_user, {}, {}};
  if (!options.password_file.empty()) {
    auto password = ReadPasswordFile(options.password_file);
    if (!password.ok()) return password.error();
    credentials.password = std::move(password).value();
  } else {
    credentials.password = FromEnv("CHATCTL_PASSWORD");
  }
  if (!IsValidUtf8(credentials.password)) {
    // The hello is JSON, which cannot carry it; the node would never see the attempt.
    std::string from = options.password_file.empty() ? "CHATCTL_PASSWORD" : options.password_file;
    return Error{"bad_request", "the password in " + from + " is not valid UTF-8"};
  }
  if (!credentials.password.empty() && !credentials.token.empty()) {
    // Which one was meant cannot be guessed, and trying both would hide a mistake in either.
    return Error{"bad_request",
                 "a token (--token or CHATCTL_TOKEN) and a password (--password-file or "
                 "CHATCTL_PASSWORD) were both given: pick one"};
  }
  return credentials;
}

}  // namespace chatctl::cmd
