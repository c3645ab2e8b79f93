// `chatctl admin`: operating a cluster. Each noun is its own sub-subcommand, set up and run like
// a subcommand. This file puts them together and holds the two that can work offline: `token`
// (minted with the cluster secret, or by the node without it) and `mesh-keygen`. The nouns that
// call the node's admin HTTP API are in admin_*.cpp (see admin_api.h).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cmd/admin_api.h"
#include "cmd/admin_text.h"
#include "cmd/command.h"
#include "cmd/exit_codes.h"
#include "lib/auth/jwt.h"
#include "lib/bus/mesh_keys.h"
#include "lib/names.h"

namespace chatctl::cmd {
namespace {

struct TokenOptions {
  ApiOptions api;  // used without --secret-file: the node mints the token
  std::string user;
  std::string ttl = "24h";
  bool admin = false;
  std::string secret_file;
};

// "90s", "30m", "24h", "7d" as seconds; "never" as nullopt inside the outer optional.
std::optional<std::optional<std::int64_t>> ParseTtl(const std::string& text) {
  if (text == "never") return std::optional<std::int64_t>{};
  auto seconds = ParseDuration(text);
  if (!seconds) return std::nullopt;
  return std::optional<std::int64_t>{*seconds};
}

// Offline: signed here with the cluster secret, no node involved.
int MintOffline(const TokenOptions& o, std::optional<std::int64_t> ttl) {
  auto secret = ReadSecretFile(o.secret_file);
  if (!secret.ok()) {
    std::fprintf(stderr, "chatctl: admin token: %s\n", secret.error().message.c_str());
    return kExitFailed;
  }
  TokenClaims claims;
  claims.sub = o.user;
  claims.IssuedAt(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count());
  if (ttl) claims.exp = claims.iat + *ttl;
  claims.admin = o.admin;
  std::string token = MintToken(claims, *secret);
  if (o.api.json) {
    // The same shape as the node's answer to POST /api/v1/tokens.
    return PrintJson(
        {{"token", token}, {"exp", claims.exp ? nlohmann::json(*claims.exp) : nlohmann::json()}});
  }
  return PrintLine(token);
}

// Through the node (POST /api/v1/tokens): for operators who hold an admin token but not the
// secret file.
int MintOnNode(TokenOptions& o, std::optional<std::int64_t> ttl) {
  nlohmann::json body = {{"user", o.user}, {"ttl_seconds", ttl ? *ttl : 0}, {"admin", o.admin}};
  nlohmann::json answer;
  if (int rc = CallApi("admin token", o.api, {"POST", "/tokens", body}, answer); rc != kExitOk) {
    return rc;
  }
  if (o.api.json) return PrintJson(answer);
  if (!answer.contains("token") || !answer["token"].is_string()) {
    return Fail("admin token", "internal", "the node's answer has no token", kExitFailed);
  }
  return PrintLine(answer["token"].get<std::string>());
}

int RunToken(TokenOptions& o) {
  if (!IsValidUserName(o.user)) {
    std::fprintf(stderr,
                 "chatctl: admin token: invalid user name '%s' (want [a-z0-9][a-z0-9_.-]{0,31})\n",
                 o.user.c_str());
    return kExitUsage;
  }
  auto ttl = ParseTtl(o.ttl);
  if (!ttl) {
    std::fprintf(stderr,
                 "chatctl: admin token: invalid --ttl '%s' (want e.g. 90s, 30m, 24h, 7d or never, "
                 "at most ten years)\n",
                 o.ttl.c_str());
    return kExitUsage;
  }
  return o.secret_file.empty() ? MintOnNode(o, *ttl) : MintOffline(o, *ttl);
}

Command SetupToken(CLI::App& admin) {
  auto o = std::make_shared<TokenOptions>();
  CLI::App* app = admin.add_subcommand(
      "token",
      "Mint a token (JWT, HS256) for a user: offline with --secret-file, else on the node");
  app->add_option("--user", o->user, "User name the token is for (its 'sub')")
      ->required()
      ->type_name("USER");
  app->add_option("--ttl", o->ttl, "Lifetime: 90s, 30m, 24h, 7d, ... or never")
      ->type_name("TTL")
      ->capture_default_str();
  app->add_flag("--admin", o->admin, "Mark the token as an administrator's");
  auto* secret = app->add_option("--secret-file", o->secret_file,
                                 "Sign offline with the cluster secret in FILE (no node needed)")
                     ->type_name("FILE");
  AddApiOptions(*app, o->api);
  secret->excludes(app->get_option("--url"));
  secret->excludes(app->get_option("--token"));
  return {app, [o] { return RunToken(*o); }};
}

struct MeshKeygenOptions {
  std::string out;
  bool force = false;
};

// Writes the key pair to a new file only its owner can read, and prints the public key, so
// `chatctl admin mesh-keygen --out node1.key >> trusted-keys` builds the trust file.
int RunMeshKeygen(const MeshKeygenOptions& o) {
  auto pair = bus::GenerateKeyPair();
  if (!pair.ok()) {
    std::fprintf(stderr, "chatctl: admin mesh-keygen: %s\n", pair.error().message.c_str());
    return kExitFailed;
  }
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (o.force ? O_TRUNC : O_EXCL);
  int fd = open(o.out.c_str(), flags, 0600);
  if (fd < 0) {
    std::fprintf(stderr, "chatctl: admin mesh-keygen: cannot create %s: %s%s\n", o.out.c_str(),
                 std::strerror(errno), errno == EEXIST ? " (give --force to replace it)" : "");
    return kExitFailed;
  }
  std::string text = bus::FormatKeyFile(*pair);
  bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  written = fsync(fd) == 0 && written;
  written = close(fd) == 0 && written;
  if (!written) {
    std::fprintf(stderr, "chatctl: admin mesh-keygen: cannot write %s\n", o.out.c_str());
    return kExitFailed;
  }
  std::printf("%s\n", pair->public_key.c_str());
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailed;
}

Command SetupMeshKeygen(CLI::App& admin) {
  auto o = std::make_shared<MeshKeygenOptions>();
  CLI::App* app = admin.add_subcommand(
      "mesh-keygen", "Make a CURVE key pair for a node's mesh; print its public key");
  app->add_option("--out", o->out, "File to write the key pair to (created with mode 0600)")
      ->required()
      ->type_name("FILE");
  app->add_flag("--force", o->force, "Replace the file if it exists");
  return {app, [o] { return RunMeshKeygen(*o); }};
}

}  // namespace

Command SetupAdmin(CLI::App& parent) {
  CLI::App* app = parent.add_subcommand(
      "admin", "Administer a cluster: users, rooms, bans (the node's admin API), tokens, keys");
  app->require_subcommand(1);
  auto nouns = std::make_shared<std::vector<Command>>();
  nouns->push_back(SetupAdminNode(*app));
  nouns->push_back(SetupAdminStats(*app));
  nouns->push_back(SetupAdminChannel(*app));
  nouns->push_back(SetupAdminUser(*app));
  for (auto& verb : SetupAdminModeration(*app)) nouns->push_back(std::move(verb));
  nouns->push_back(SetupAdminPublish(*app));
  nouns->push_back(SetupToken(*app));
  nouns->push_back(SetupMeshKeygen(*app));
  return {app, [nouns] {
            for (auto& noun : *nouns) {
              if (noun.app->parsed()) return noun.run();
            }
            return static_cast<int>(kExitUsage);
          }};
}

}  // namespace chatctl::cmd
