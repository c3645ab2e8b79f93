// The Bus: a node's one door to the rest of the cluster (DESIGN.md "Replication without loss").
// The gateway and the store never see how events travel; `local` (a single node) and `zmq` (the
// ZeroMQ mesh) implement this, and another transport needs nothing but a new implementation.
//
// Contract of every implementation:
// - Publish() takes events this node originated, durable and in seq order.
// - handlers.apply receives events other nodes originated, each (origin, seq) once and in seq
//   order per origin, with no holes: a transport that drops must fetch what it missed.
// - Handlers run on the bus's own thread; they hand work on and return quickly. One that throws
//   there fails the bus (handlers.failed) instead of ending the process.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "lib/message.h"
#include "lib/result.h"

namespace chatctl::bus {

// The users one node has online: channel -> users.
using PresenceMap = std::map<std::string, std::set<std::string>>;

// A node this node knows of, for /readyz and /api/v1/nodes.
struct PeerState {
  std::uint32_t node = 0;
  std::string address;                 // its mesh endpoint
  bool up = false;                     // heard from within a few heartbeat intervals
  std::int64_t last_heartbeat_ms = 0;  // wall clock, 0 = never
  std::uint64_t head_seq = 0;          // the newest event it says it originated
  std::uint64_t applied_seq = 0;       // how many of its events this node has applied
};

struct ClusterView {
  bool meshed = false;     // false for a single node: nothing to wait for
  bool caught_up = false;  // every event the live peers advertise is applied here
  std::vector<PeerState> peers;
};

struct Handlers {
  // Events from other nodes. False when the node cannot take them now (its store queue is full):
  // the bus then forgets them and fetches them again later.
  std::function<bool(std::vector<Message>)> apply;
  // The presence of one other node changed; an empty map when that node went away.
  std::function<void(std::uint32_t node, PresenceMap)> presence;
  // The cluster as this node sees it, whenever it changes and at least every heartbeat.
  std::function<void(ClusterView)> view;
  // The bus cannot go on; called once from the bus thread, which then ends; the node stops.
  // Only after Start() returned Ok: a failure before that is Start()'s error. May be empty (the
  // bus then only logs). No other handler runs after it.
  std::function<void(Error)> failed;
};

class Bus {
 public:
  virtual ~Bus() = default;
  // Joins the cluster. May block briefly (a mesh listens for a node id clash before it speaks).
  virtual Status Start(Handlers handlers) = 0;
  // Any thread.
  virtual void Publish(std::vector<Message> events) = 0;
  // Any thread: the users online on this node, whole.
  virtual void SetPresence(PresenceMap presence) = 0;
  // Leaves the cluster; no handler runs after it returns.
  virtual void Stop() = 0;
};

}  // namespace chatctl::bus
