// The gateway's door to the store writer. The sends of the frame being read go together when
// the frame is done (one wake-up, and one commit for a frame of many sends rather than one for
// the first and another for the rest); anything else (a control event, an HTTP publish) goes at
// once, after the frame's sends, so the writer sees requests in the order they came. Counts
// what is in flight, for the drain. Gateway thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "relay/events.h"

namespace chatctl::relay {

class StoreWriter;

class Committer {
 public:
  // `refused` answers a job the writer's queue had no room for (the caller's `unavailable`).
  explicit Committer(std::function<void(const WriteJob&)> refused) : refused_(std::move(refused)) {}
  void Attach(StoreWriter& writer) { writer_ = &writer; }

  // A `send` of the frame being read: to the writer at Flush.
  void Queue(WriteJob job);
  // The frame's sends to the writer, all or (queue full) none, each then refused.
  void Flush();
  // One job now, after the frame's sends. False, with nothing submitted, when the queue is full.
  bool Submit(WriteJob job);
  // A commit came back: its jobs of this node are no longer in flight.
  void Done(const Committed& committed);

  std::uint64_t in_flight() const { return in_flight_; }

 private:
  const std::function<void(const WriteJob&)> refused_;
  StoreWriter* writer_ = nullptr;
  std::vector<WriteJob> frame_jobs_;
  std::uint64_t in_flight_ = 0;  // this node's jobs handed to the writer, not yet committed
};

}  // namespace chatctl::relay
