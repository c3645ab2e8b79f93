// Per-origin replication bookkeeping (see origin_tracker.h).
#include "lib/bus/origin_tracker.h"

#include <algorithm>

namespace chatctl::bus {

void OriginTracker::SetApplied(std::uint32_t origin, std::uint64_t seq) {
  Origin& o = origins_[origin];
  o.applied = seq;
  o.known_head = std::max(o.known_head, seq);
  o.held.erase(o.held.begin(), o.held.upper_bound(seq));
}

std::uint64_t OriginTracker::applied(std::uint32_t origin) const {
  auto it = origins_.find(origin);
  return it == origins_.end() ? 0 : it->second.applied;
}

std::uint64_t OriginTracker::known_head(std::uint32_t origin) const {
  auto it = origins_.find(origin);
  return it == origins_.end() ? 0 : it->second.known_head;
}

std::map<std::uint32_t, std::uint64_t> OriginTracker::AllApplied() const {
  std::map<std::uint32_t, std::uint64_t> out;
  for (const auto& [origin, o] : origins_) {
    if (o.applied > 0) out[origin] = o.applied;
  }
  return out;
}

std::vector<Message> OriginTracker::Offer(std::vector<Message> events) {
  std::vector<Message> ready;
  std::vector<std::uint32_t> touched;
  for (Message& m : events) {
    Origin& o = origins_[m.origin];
    o.known_head = std::max(o.known_head, m.seq);
    if (m.seq <= o.applied) continue;  // already applied: a duplicate
    if (m.seq == o.applied + 1) {
      o.applied = m.seq;
      ready.push_back(std::move(m));
      touched.push_back(ready.back().origin);
      continue;
    }
    if (o.held.size() < max_held_ || o.held.count(m.seq) != 0) {
      o.held.emplace(m.seq, std::move(m));
    }
  }
  // Events held behind a hole the batch just filled follow it.
  for (std::uint32_t origin : touched) {
    Origin& o = origins_[origin];
    for (auto it = o.held.begin(); it != o.held.end() && it->first <= o.applied + 1;) {
      if (it->first == o.applied + 1) {
        o.applied = it->first;
        ready.push_back(std::move(it->second));
      }
      it = o.held.erase(it);
    }
  }
  // Keep seq order per origin (a batch may mix origins; the relative order of origins is free).
  std::stable_sort(ready.begin(), ready.end(), [](const Message& a, const Message& b) {
    return a.origin != b.origin ? a.origin < b.origin : a.seq < b.seq;
  });
  return ready;
}

void OriginTracker::NoteHead(std::uint32_t origin, std::uint64_t head) {
  Origin& o = origins_[origin];
  o.known_head = std::max(o.known_head, head);
}

void OriginTracker::Rewind(std::uint32_t origin, std::uint64_t seq) {
  Origin& o = origins_[origin];
  o.applied = std::min(o.applied, seq);
  o.held.clear();
}

std::vector<Gap> OriginTracker::Gaps() const {
  std::vector<Gap> gaps;
  for (const auto& [origin, o] : origins_) {
    std::uint64_t until = o.known_head;
    if (!o.held.empty()) until = std::max(until, o.held.rbegin()->first);
    if (until > o.applied) gaps.push_back(Gap{origin, o.applied, until});
  }
  return gaps;
}

}  // namespace chatctl::bus
