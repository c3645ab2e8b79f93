// The ZeroMQ mesh: the default Bus of a cluster (docs/design.md "The mesh").
//
// Sockets, made and bound by Create() on its caller's thread, the mesh thread's once Start() starts
// it:
// - PUB (bound at --mesh-bind): this node's events ("E") and heartbeats ("H").
// - SUB: connected to the PUB of every node it knows, learned from --peer and from heartbeats.
// - ROUTER (bound on the same host, port + 1, or any free port when the bind port is 0): answers
//   gap fetches from its SQLite file and takes announcements from nodes that are new to it.
// - one DEALER per known node, to that node's ROUTER.
// With CURVE keys every socket is encrypted; PUB and ROUTER admit only clients whose public key
// is trusted (a ZAP handler, also on the mesh thread). A client must know the server's key before
// it connects: heartbeats carry each node's key, and the first --peer, whose key is not known yet,
// is tried once with each trusted key (only the right one completes the handshake).
// Pub/sub may drop (a slow joiner, a full high-water mark, a node away); an event seq above the
// one expected, or a heartbeat head above what is applied, makes the node fetch the range, so
// nothing is lost.
// The parts: mesh_security.h, mesh_peers.h, mesh_fetch.h, mesh_wire.h; the loop is zmq_bus.cpp.
// A socket error or an exception on the mesh thread stops the bus: handlers.failed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/bus/bus.h"
#include "lib/bus/mesh_keys.h"
#include "lib/store.h"

namespace chatctl::bus {

struct MeshOptions {
  std::uint32_t node_id = 0;
  std::string bind = "tcp://127.0.0.1:7448";  // port 0: any free port (see pub_endpoint())
  std::vector<std::string> peers;             // PUB endpoints to start from
  std::unique_ptr<Store> store;               // a reader: fetch answers, what is applied
  std::optional<MeshKeys> keys;               // CURVE; none: a plain (loopback) mesh
  int heartbeat_ms = 250;
  int down_after_heartbeats = 4;  // silent this long: the node is down, its users leave presence
  int fetch_batch = 1000;         // events per fetch answer
  int high_water_mark = 2000;     // messages queued per socket pipe before ZeroMQ drops
};

class ZmqBus final : public Bus {
 public:
  // Binds the sockets (so the endpoints are known before Start); nothing is sent yet.
  static Result<std::unique_ptr<ZmqBus>> Create(MeshOptions options);
  ~ZmqBus() override;

  const std::string& pub_endpoint() const;
  const std::string& router_endpoint() const;

  // With peers, listens for a few heartbeats first: a node that hears its own node id from another
  // address refuses to join (Error "conflict").
  Status Start(Handlers handlers) override;
  void Publish(std::vector<Message> events) override;
  void SetPresence(PresenceMap presence) override;
  void Stop() override;

  struct Impl;

 private:
  explicit ZmqBus(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace chatctl::bus
