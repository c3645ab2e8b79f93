// Per origin node: the highest seq applied with no hole below it, the events that arrived ahead
// of a hole (held until it is filled), and the head the origin is known to have reached. Pure
// bookkeeping, owned by the bus thread; the mesh decides what to fetch from Gaps().
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "lib/message.h"

namespace chatctl::bus {

struct Gap {
  std::uint32_t origin = 0;
  std::uint64_t after = 0;  // applied: fetch from after + 1 ...
  std::uint64_t until = 0;  // ... up to here
};

class OriginTracker {
 public:
  // Held events per origin beyond which new ones ahead of a hole are dropped (and fetched later).
  explicit OriginTracker(std::size_t max_held_per_origin) : max_held_(max_held_per_origin) {}

  void SetApplied(std::uint32_t origin, std::uint64_t seq);
  std::uint64_t applied(std::uint32_t origin) const;
  std::map<std::uint32_t, std::uint64_t> AllApplied() const;

  // Takes events in any order, duplicates included; returns those that now apply, in seq order
  // per origin, each exactly once, and counts them as applied.
  std::vector<Message> Offer(std::vector<Message> events);
  // The origin said (in a heartbeat, or a peer said for it) that it has reached `head`.
  void NoteHead(std::uint32_t origin, std::uint64_t head);
  std::uint64_t known_head(std::uint32_t origin) const;
  // Applying failed after Offer(): back to `seq`, and what was held is dropped.
  void Rewind(std::uint32_t origin, std::uint64_t seq);

  // Every origin with events known to exist but not yet applied.
  std::vector<Gap> Gaps() const;

 private:
  struct Origin {
    std::uint64_t applied = 0;
    std::uint64_t known_head = 0;
    std::map<std::uint64_t, Message> held;  // seq -> event, all above applied + 1
  };
  std::size_t max_held_;
  std::map<std::uint32_t, Origin> origins_;
};

}  // namespace chatctl::bus
