// A relay node: opens the store, starts the store writer and history reader threads, runs the
// gateway on the calling thread, and drains on SIGINT/SIGTERM. Threads and their owners:
//   gateway (the caller)  - sessions, indexes, presence, every lws call
//   store writer          - the SQLite write connection
//   history reader        - a read-only SQLite connection
//   mesh (with --bus zmq) - every ZeroMQ socket and its own read-only SQLite connection
//   signals               - sigwait(); only asks the gateway to stop
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lib/config.h"
#include "lib/result.h"
#include "lib/store.h"

namespace chatctl::relay {

struct NodeOptions {
  std::string listen_host = "127.0.0.1";
  int listen_port = 7447;
  std::string data_dir = "./chatctl-data";
  unsigned node_id = 0;
  std::optional<std::string> secret_file;
  bool open = false;            // accept user-name hellos even on a non-loopback address
  bool allow_register = false;  // self sign-up over the protocol
  Durability durability = Durability::kNormal;
  Limits limits;
  // The cluster. bus "" picks zmq when a mesh bind or a peer is given, local otherwise.
  std::string bus;
  std::string mesh_bind;  // "" = tcp://127.0.0.1:7448 when meshed
  std::vector<std::string> peers;
  bool mesh_insecure = false;   // allow a non-loopback mesh bind without CURVE keys
  std::string mesh_key_file;    // this node's CURVE key pair
  std::string mesh_trust_file;  // public keys of the nodes allowed in
  // The web page: "on" (built in) or "off"; web_root serves another build of it.
  std::string web = "on";
  std::string web_root;
  std::vector<std::string> allowed_origins;  // browser origins besides the node's own
};

// Runs until SIGINT/SIGTERM has drained. Errors that stop the node from starting come back here;
// the caller prints them.
Status RunNode(const NodeOptions& options);

bool IsLoopbackHost(const std::string& host);

}  // namespace chatctl::relay
