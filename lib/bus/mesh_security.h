// Who may talk to this node's mesh sockets: CURVE on every socket, the ZAP handler
// (rfc.zeromq.org/spec/27) that admits only clients whose public key is trusted, and the bootstrap
// SUBs that find the first peers' keys. A client must know the server's key before it connects;
// heartbeats carry each node's key, but a --peer has not been heard yet, so it is tried once with
// each trusted key and only the right one completes the handshake. Without keys the mesh is plain:
// nothing is secured and there are no ZAP handler and no bootstrap SUBs.
// Leaves out the sockets it secures (zmq_bus.cpp owns them) and what a heartbeat says.
//
// Threads: built and SecureServers() called by ZmqBus::Create() on its caller's thread, before the
// mesh thread exists; from the mesh thread's start, everything here is the mesh thread's.
#pragma once

#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <zmq.hpp>

#include "lib/bus/mesh_keys.h"
#include "lib/result.h"

namespace chatctl::bus {

// The ZAP handler's answer to one request.
struct ZapVerdict {
  bool trusted = false;
  std::string client_key;  // Z85; "" when the client offered no CURVE key
};

// A ZAP request's frames: version, request id, domain, address, identity, mechanism, then the
// mechanism's credentials (CURVE: the client's 32-byte public key). nullopt: not a ZAP request.
std::optional<ZapVerdict> JudgeZapRequest(const std::vector<std::string_view>& frames,
                                          const std::set<std::string>& trusted);

class MeshSecurity {
 public:
  explicit MeshSecurity(std::optional<MeshKeys> keys) : keys_(std::move(keys)) {}

  bool secured() const { return keys_.has_value(); }
  std::string own_key() const { return secured() ? keys_->public_key : ""; }
  // A key a client can be secured with for that server: any key in a plain mesh.
  bool UsableServerKey(const std::string& key) const;

  // Binds the ZAP handler, then makes each socket a CURVE server that asks it. Call before the
  // servers bind, so no handshake can reach them unchecked. Nothing to do in a plain mesh.
  Status SecureServers(zmq::context_t& context, std::initializer_list<zmq::socket_t*> servers);
  // A client socket's own keys and the key of the server it is about to connect to (per connect).
  Status SecureClient(zmq::socket_t& socket, const std::string& server_key) const;

  // The ZAP handler's socket, to poll; nullptr in a plain mesh.
  zmq::socket_t* zap() { return zap_ ? &*zap_ : nullptr; }
  // Answers the ZAP requests waiting, at most `max` of them.
  Status AnswerZap(int max);

  struct Bootstrap {
    std::string endpoint;
    zmq::socket_t socket;  // a SUB for heartbeats only, secured with one trusted key
  };
  // One heartbeat SUB per trusted key (but our own) to a --peer's PUB. Secured mesh only.
  void StartBootstrap(zmq::context_t& context, const std::string& endpoint);
  std::vector<Bootstrap>& bootstraps() { return bootstraps_; }
  // The node at `endpoint` has been heard, so its key is known: its bootstrap SUBs go.
  void Heard(const std::string& endpoint);

 private:
  std::optional<MeshKeys> keys_;       // constant after construction
  std::optional<zmq::socket_t> zap_;   // REP bound at inproc://zeromq.zap.01, secured mesh only
  std::vector<Bootstrap> bootstraps_;  // until each --peer has been heard
};

}  // namespace chatctl::bus
