// `chatctl serve`: run a relay node. Flags and config-file keys (--config, TOML or INI) are the
// same names; see docs/cli.md and man/chatctl-serve.1.
#include <cstdio>
#include <memory>
#include <string>

#include "cmd/command.h"
#include "cmd/exit_codes.h"
#include "lib/log.h"
#include "relay/node.h"

namespace chatctl::cmd {
namespace {

struct ServeOptions {
  std::string config_file;
  std::string listen = "127.0.0.1:7447";
  std::string secret_file;
  std::string log_level = "info";
  std::string log_format = "logfmt";
  std::string durability = "normal";
  relay::NodeOptions node;
};

// "HOST:PORT", "[V6]:PORT", ":PORT" (every address) or "PORT".
bool ParseListen(const std::string& text, std::string& host, int& port) {
  std::string port_text;
  if (!text.empty() && text[0] == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return false;
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else if (auto colon = text.rfind(':'); colon != std::string::npos) {
    host = colon == 0 ? "0.0.0.0" : text.substr(0, colon);
    port_text = text.substr(colon + 1);
  } else {
    port_text = text;
  }
  if (port_text.empty() || port_text.size() > 5) return false;
  for (char c : port_text) {
    if (c < '0' || c > '9') return false;
  }
  port = std::stoi(port_text);
  return port <= 65535 && !host.empty();
}

int RunServe(ServeOptions& o) {
  log::Level level;
  if (!log::ParseLevel(o.log_level, level)) {
    std::fprintf(stderr, "chatctl: serve: --log-level must be debug, info, warn or error\n");
    return kExitUsage;
  }
  log::Configure(level, o.log_format == "json" ? log::Format::kJson : log::Format::kLogfmt);
  if (!ParseListen(o.listen, o.node.listen_host, o.node.listen_port)) {
    std::fprintf(stderr, "chatctl: serve: --listen '%s' is not HOST:PORT\n", o.listen.c_str());
    return kExitUsage;
  }
  if (!o.secret_file.empty()) o.node.secret_file = o.secret_file;
  o.node.durability = o.durability == "full" ? Durability::kFull : Durability::kNormal;
  Status status = relay::RunNode(o.node);
  if (!status.ok()) {
    std::fprintf(stderr, "chatctl: serve: %s\n", status.error().message.c_str());
    if (status.error().code == "internal") return kExitInternal;
    return status.error().code == "locked" ? kExitDataDirInUse : kExitFailed;
  }
  return kExitOk;
}

}  // namespace

Command SetupServe(CLI::App& parent) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* app = parent.add_subcommand("serve", "Run a relay node");
  // Read by ApplyConfigFile (config_file.h) before the command line is parsed.
  app->add_option("--config", o->config_file, "Read these flags from a TOML or INI file")
      ->type_name("FILE");
  app->add_option("--listen", o->listen, "HOST:PORT to listen on (WebSocket at /ws, HTTP)")
      ->capture_default_str();
  app->add_option("--data", o->node.data_dir, "Directory for the node's SQLite history")
      ->capture_default_str();
  app->add_option("--node-id", o->node.node_id, "This node's id, unique in a cluster")
      ->check(CLI::Range(0, 1023))
      ->capture_default_str();
  app->add_option("--secret-file", o->secret_file, "HS256 key that signs and checks tokens")
      ->check(CLI::ExistingFile);
  app->add_flag("--open", o->node.open,
                "Trust user names in hello even on a non-loopback address (no secret)");
  app->add_flag("--allow-register", o->node.allow_register,
                "Let anyone create an account with the protocol's 'register'");
  app->add_option("--log-level", o->log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  app->add_option("--log-format", o->log_format, "logfmt or json")
      ->check(CLI::IsMember({"logfmt", "json"}))
      ->capture_default_str();
  app->add_option("--durability", o->durability,
                  "normal: acked messages survive a crash; full: and a power loss")
      ->check(CLI::IsMember({"normal", "full"}))
      ->capture_default_str();
  Limits& l = o->node.limits;
  app->add_option("--max-frame-bytes", l.max_frame_bytes, "Largest inbound frame (else 1009)")
      ->check(CLI::Range(1024, 64 * 1024 * 1024))
      ->capture_default_str();
  app->add_option("--max-text-chars", l.max_text_chars, "Longest message text, in characters")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  app->add_option("--max-joins", l.max_joins_per_session, "Channels one session may join")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  app->add_option("--rate-limit", l.rate_per_second,
                  "Messages per second per session (0: no limit)")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  app->add_option("--rate-burst", l.rate_burst, "Messages a session may send at once")
      ->check(CLI::Range(1.0, 1e9))
      ->capture_default_str();
  app->add_option("--max-outbound-bytes", l.max_outbound_bytes,
                  "Bytes queued for one client before it is closed with 4408")
      ->check(CLI::Range(4096, 1 << 30))
      ->capture_default_str();
  app->add_option("--max-pending-writes", l.max_pending_writes,
                  "Writes waiting for the store before sends are refused 'unavailable'")
      ->check(CLI::Range(1, 100000000))
      ->capture_default_str();
  app->add_option(
         "--presence-events-max", l.presence_events_max,
         "Sessions in a room (on this node) past which joins and leaves are not announced; "
         "0 for no limit")
      ->capture_default_str();
  app->add_option("--since-replay-max", l.since_replay_max,
                  "Messages a join with since replays before it says truncated")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app->add_option("--hello-timeout", l.hello_timeout_seconds, "Seconds a client has to say hello")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app->add_option("--ping-interval", l.ping_interval_seconds,
                  "Seconds of silence before the node pings a client")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app->add_option("--bus", o->node.bus,
                  "local (this node alone) or zmq (the mesh); default: zmq when a mesh bind or "
                  "peer is given")
      ->check(CLI::IsMember({"local", "zmq"}));
  app->add_option("--mesh-bind", o->node.mesh_bind,
                  "tcp://HOST:PORT for the mesh (fetches on PORT+1); default tcp://127.0.0.1:7448 "
                  "once meshed; port 0 picks free ports");
  app->add_option("--peer", o->node.peers,
                  "tcp://HOST:PORT of another node's mesh (repeatable; one live peer is enough)");
  app->add_flag("--mesh-insecure", o->node.mesh_insecure,
                "Allow an unencrypted mesh on a non-loopback address");
  app->add_option("--mesh-key", o->node.mesh_key_file,
                  "This node's CURVE key pair (chatctl admin mesh-keygen): encrypts the mesh")
      ->check(CLI::ExistingFile);
  app->add_option("--mesh-trust", o->node.mesh_trust_file,
                  "Public keys of the nodes allowed in the mesh, one per line")
      ->check(CLI::ExistingFile);
  app->add_option("--web", o->node.web, "on: serve the web chat page at /; off: do not")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  app->add_option("--web-root", o->node.web_root,
                  "Serve the web page from this directory (read at start) instead of the one "
                  "built in")
      ->check(CLI::ExistingDirectory);
  app->add_option("--allowed-origins", o->node.allowed_origins,
                  "Browser origins (scheme://host[:port], or *) besides the node's own that may "
                  "open the WebSocket; others get 403")
      ->delimiter(',');
  return {app, [o] { return RunServe(*o); }};
}

}  // namespace chatctl::cmd
