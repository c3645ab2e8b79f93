// Replication without holes: events heard from other nodes (on PUB or in a fetch reply) go
// through the origin tracker, so the node applies each (origin, seq) once and in order; what is
// missing is asked for with one fetch per origin in flight; another node's fetch is answered from
// this node's store. No sockets: the mesh loop (zmq_bus.cpp) sends the orders this plans and hands
// in what arrives, so this is tested alone.
// Leaves out who is up and who holds what (mesh_peers.h) and the wire format (mesh_wire.h).
//
// Threads: owned by the mesh thread (Resume() runs in ZmqBus::Create() on its caller's thread,
// before the mesh thread starts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "lib/bus/mesh_peers.h"
#include "lib/bus/mesh_wire.h"
#include "lib/bus/origin_tracker.h"
#include "lib/message.h"
#include "lib/store.h"

namespace chatctl::bus {

// One fetch to send: ask node `source` for `request`.
struct FetchOrder {
  std::uint32_t source = 0;
  FetchRequest request;
};

class Replication {
 public:
  // A fetch unanswered this long is asked again (of whichever node can answer then).
  static constexpr std::int64_t kFetchTimeoutMs = 2000;

  Replication(std::uint32_t self, int fetch_batch, std::size_t max_held_per_origin)
      : self_(self), fetch_batch_(fetch_batch), tracker_(max_held_per_origin) {}

  // What the store already holds (its heads): applied for every other origin. Answers this
  // node's own head.
  std::uint64_t Resume(const std::map<std::uint32_t, std::uint64_t>& heads);

  // Events from other nodes, in any order, duplicates included (this node's own are dropped).
  // Those that now apply go to `apply`, in order per origin; if it refuses them they count as not
  // applied, to be fetched again. True when any applied or were refused: a hole may show now.
  bool Take(std::vector<Message> events, const std::function<bool(std::vector<Message>)>& apply);
  // A heartbeat's heads: how far its node has gone, and how far the origins it holds have.
  void NoteHeads(const Heartbeat& hb);

  // The fetches to send now: for each origin with a hole, one order to a node that can fill it,
  // unless one is in flight and younger than kFetchTimeoutMs. Counts them as in flight.
  std::vector<FetchOrder> Plan(std::int64_t now_ms, const PeerTable& peers);
  // A reply for `origin` came: its fetch is no longer in flight.
  void Answered(std::uint32_t origin) { in_flight_.erase(origin); }

  const OriginTracker& tracker() const { return tracker_; }

 private:
  std::uint32_t self_;
  int fetch_batch_;
  OriginTracker tracker_;
  std::map<std::uint32_t, std::int64_t> in_flight_;  // origin -> when its fetch was sent
};

// Another node's fetch, answered from this node's store with at most `max_batch` events. A store
// that cannot read answers with none: the asker asks again at its next heartbeat.
FetchReply AnswerFetch(Store& store, const FetchRequest& request, int max_batch);

}  // namespace chatctl::bus
