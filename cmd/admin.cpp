// `chatctl admin`: operator tasks done offline, with the cluster secret rather than a connection.
// Each noun is its own sub-subcommand (today only `token`), set up and run like a subcommand.
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

#include "cmd/command.h"
#include "cmd/exit_codes.h"
#include "lib/auth/jwt.h"
#include "lib/bus/mesh_keys.h"
#include "lib/names.h"

namespace chatctl::cmd {
namespace {

struct TokenOptions {
  std::string user;
  std::string ttl = "24h";
  bool admin = false;
  std::string secret_file;
};

// "90s", "30m", "24h", "7d" as seconds; "never" as nullopt inside the outer optional.
std::optional<std::optional<std::int64_t>> ParseTtl(const std::string& text) {
  if (text == "never") return std::optional<std::int64_t>{};
  if (text.size() < 2) return std::nullopt;
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    default:
      return std::nullopt;
  }
  // Ten years is plenty; the bound also keeps now + ttl far from overflow.
  constexpr std::int64_t kMaxSeconds = 10LL * 366 * 86400;
  std::int64_t count = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    count = count * 10 + (c - '0');
    if (count * unit > kMaxSeconds) return std::nullopt;
  }
  if (count == 0) return std::nullopt;  // a token born expired helps nobody
  return std::optional<std::int64_t>{count * unit};
}

int RunToken(const TokenOptions& o) {
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
  auto secret = ReadSecretFile(o.secret_file);
  if (!secret.ok()) {
    std::fprintf(stderr, "chatctl: admin token: %s\n", secret.error().message.c_str());
    return kExitFailed;
  }
  TokenClaims claims;
  claims.sub = o.user;
  claims.iat = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  if (*ttl) claims.exp = claims.iat + **ttl;
  claims.admin = o.admin;
  std::printf("%s\n", MintToken(claims, *secret).c_str());
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailed;
}

Command SetupToken(CLI::App& admin) {
  auto o = std::make_shared<TokenOptions>();
  CLI::App* app = admin.add_subcommand("token", "Mint a token (JWT, HS256) for a user");
  app->add_option("--user", o->user, "User name the token is for (its 'sub')")
      ->required()
      ->type_name("USER");
  app->add_option("--ttl", o->ttl, "Lifetime: 90s, 30m, 24h, 7d, ... or never")
      ->type_name("TTL")
      ->capture_default_str();
  app->add_flag("--admin", o->admin, "Mark the token as an administrator's");
  app->add_option("--secret-file", o->secret_file, "File holding the cluster secret")
      ->required()
      ->type_name("FILE");
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
  CLI::App* app = parent.add_subcommand("admin", "Administration with the cluster secret");
  app->require_subcommand(1);
  auto nouns = std::make_shared<std::vector<Command>>();
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
