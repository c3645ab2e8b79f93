// Why a mesh connection was refused, said on both sides. ZeroMQ refuses a CURVE handshake
// silently: a plaintext node facing a secured one, or a node whose key the other does not trust,
// just never connects, and the operator sees nothing on either node. This watches one socket's
// handshake events through ZeroMQ's socket monitor (an inproc PAIR) and logs each refusal with
// its reason, once a minute per endpoint and reason (ZeroMQ retries the handshake every few
// hundred milliseconds).
//
// Threads: made on the thread that owns the watched socket (the mesh thread, or Create()'s
// caller before it starts) and from then on read by the mesh thread only. It must be destroyed
// before the socket it watches is closed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "lib/result.h"

namespace chatctl::bus {

// What one failed handshake event means, for people; pure. `server`: the event came from a
// bound socket (a node tried to connect to us), not from one that connects out.
std::string HandshakeFailureReason(std::uint16_t event, std::uint32_t value, bool server);

class HandshakeMonitor {
 public:
  // `label` names the socket in the log ("SUB", "PUB", "ROUTER", "bootstrap SUB").
  static Result<HandshakeMonitor> Watch(zmq::context_t& context, zmq::socket_t& socket,
                                        std::string label, bool server);

  zmq::socket_t& events() { return events_; }  // to poll for ZMQ_POLLIN
  // Reads the events waiting and logs the refusals among them. `only_refusals_by_peer`: log an
  // AUTH refusal only (a bootstrap SUB tries every trusted key, so a wrong key is expected).
  void Drain(std::int64_t now_ms, bool only_refusals_by_peer = false);

 private:
  HandshakeMonitor(zmq::socket_t events, std::string label, bool server)
      : events_(std::move(events)), label_(std::move(label)), server_(server) {}

  zmq::socket_t events_;  // the PAIR that receives the watched socket's events
  std::string label_;
  bool server_;
  std::map<std::string, std::int64_t> last_logged_ms_;  // endpoint + reason -> when
  std::map<std::string, bool> handshaken_;  // a client's connections: did the handshake succeed?
};

// The mesh's monitors: PUB, ROUTER and SUB for the node's life, and each --peer's bootstrap SUBs
// until that peer is heard. Declare it after the sockets it watches, so it is destroyed first.
class MeshMonitors {
 public:
  Status WatchServer(zmq::context_t& context, zmq::socket_t& socket, std::string label);
  Status WatchClient(zmq::context_t& context, zmq::socket_t& socket, std::string label);
  // A bootstrap SUB's monitor logs only the refusals of this node's key (it tries every key).
  void WatchBootstrap(zmq::context_t& context, const std::string& endpoint, zmq::socket_t& socket);
  // Before the bootstrap SUBs of `endpoint` are closed.
  void ForgetBootstraps(const std::string& endpoint) { bootstraps_.erase(endpoint); }

  // Appends a poll item per monitor; after the poll, Drain reads those that are ready, from
  // items[first] on, in the same order.
  void AddPollItems(std::vector<zmq::pollitem_t>& items);
  void Drain(const std::vector<zmq::pollitem_t>& items, std::size_t first, std::int64_t now_ms);

 private:
  Status Watch(zmq::context_t& context, zmq::socket_t& socket, std::string label, bool server);
  std::vector<HandshakeMonitor> sockets_;
  std::map<std::string, std::vector<HandshakeMonitor>> bootstraps_;
};

}  // namespace chatctl::bus
