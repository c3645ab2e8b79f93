// The other nodes as this node's mesh sees them, and what this node tells them: the peer table
// (who is up, how far each one's events go, whom it hears), liveness (silent for a few heartbeats
// means down), the one place a heartbeat is built, and the cluster view for /readyz. Pure
// bookkeeping: no sockets and no clock of its own (times come in as arguments), so it is tested
// alone; the mesh loop (zmq_bus.cpp) turns what it answers into connects and sends.
// Leaves out the wire format (mesh_wire.h) and which events are missing (origin_tracker.h).
//
// Threads: owned by the mesh thread (ZmqBus builds them on its caller's thread before the mesh
// thread starts, then never touches them).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/bus/bus.h"
#include "lib/bus/mesh_wire.h"
#include "lib/bus/origin_tracker.h"

namespace chatctl::bus {

// An endpoint a peer hands us is only ever connected to, and only if it looks like one.
bool PlausibleEndpoint(const std::string& endpoint);

// This node as the mesh knows it, fixed once its sockets are bound.
struct Identity {
  std::uint32_t node = 0;
  std::string pub;     // its PUB endpoint
  std::string router;  // its ROUTER endpoint
  std::string key;     // its CURVE public key, "" in a plain mesh
};

// This node's heartbeats, built here and nowhere else.
class OwnHeartbeat {
 public:
  // Every this many heartbeats, the presence goes out whole even if unchanged: a node that missed
  // the one with the change gets it.
  static constexpr int kFullPresenceEvery = 8;

  OwnHeartbeat() = default;
  explicit OwnHeartbeat(Identity self) : self_(std::move(self)) {}
  const Identity& self() const { return self_; }

  // The users online here now; a change goes out with the next heartbeat.
  void SetPresence(PresenceMap presence);
  // Who this node is and how far its own events go: all that an announcement needs.
  Heartbeat Introduction(std::uint64_t own_head) const;
  // The periodic heartbeat: the introduction, what this node holds (`applied` per other origin),
  // the live nodes it hears, and its presence when it changed and every kFullPresenceEvery-th time.
  Heartbeat Next(std::uint64_t own_head, std::map<std::uint32_t, std::uint64_t> applied,
                 std::vector<Heartbeat::PeerEntry> live);

 private:
  Identity self_;
  PresenceMap presence_;
  std::uint64_t presence_version_ = 0;
  bool presence_sent_ = true;
  int heartbeats_sent_ = 0;
};

struct Peer {
  std::string pub, router, key;  // as its last heartbeat said
  bool up = false;
  bool reachable = false;            // the mesh holds a DEALER connected to its router
  std::int64_t last_heard_ms = 0;    // steady clock
  std::int64_t last_heard_wall = 0;  // wall clock, for people
  std::uint64_t head = 0;
  std::map<std::uint32_t, std::uint64_t> applied;  // what it holds, per origin
  std::uint64_t presence_version = 0;
  bool has_presence = false;
  bool hears_us = false;  // its last heartbeat listed us
  std::int64_t last_announce_ms = 0;
};

// What hearing a heartbeat asks of the mesh's sockets.
struct Heard {
  bool subscribe_pub = false;           // its PUB endpoint is new: subscribe to it
  bool connect_router = false;          // its ROUTER or key changed: a new DEALER to it
  std::optional<PresenceMap> presence;  // its users changed
};

class PeerTable {
 public:
  PeerTable(std::uint32_t self, int heartbeat_ms, int down_after_heartbeats)
      : self_(self), heartbeat_ms_(heartbeat_ms), down_after_heartbeats_(down_after_heartbeats) {}

  // A heartbeat of another node; `our_pub` tells whether it hears this node. After
  // connect_router the node is unreachable until SetReachable(node, true).
  Heard Hear(const Heartbeat& hb, const std::string& our_pub, std::int64_t now_ms,
             std::int64_t wall_ms);
  void SetReachable(std::uint32_t node, bool reachable);
  // Marks down the nodes silent for too long; answers those whose users must leave presence.
  std::vector<std::uint32_t> MarkSilentDown(std::int64_t now_ms);
  // Live nodes that do not hear this node yet, at most once per heartbeat interval each: they
  // are sent an introduction straight to their router, and counted as sent.
  std::vector<std::uint32_t> DueForIntroduction(std::int64_t now_ms);
  // The live nodes, for this node's heartbeat.
  std::vector<Heartbeat::PeerEntry> LiveEntries() const;
  // Whom to fetch a gap from: the origin itself when it is up, else any live node that says it
  // holds the events; nullopt when none can be asked.
  std::optional<std::uint32_t> SourceFor(const Gap& gap) const;
  ClusterView View(const OriginTracker& tracker) const;

  const std::map<std::uint32_t, Peer>& peers() const { return peers_; }

 private:
  std::uint32_t self_;
  int heartbeat_ms_;
  int down_after_heartbeats_;
  std::map<std::uint32_t, Peer> peers_;
};

}  // namespace chatctl::bus
