// Applying, fetching and answering fetches (see mesh_fetch.h).
#include "lib/bus/mesh_fetch.h"

#include <algorithm>

namespace chatctl::bus {

std::uint64_t Replication::Resume(const std::map<std::uint32_t, std::uint64_t>& heads) {
  std::uint64_t own_head = 0;
  for (const auto& [origin, seq] : heads) {
    if (origin == self_) {
      own_head = seq;
    } else {
      tracker_.SetApplied(origin, seq);
    }
  }
  return own_head;
}

bool Replication::Take(std::vector<Message> events,
                       const std::function<bool(std::vector<Message>)>& apply) {
  std::erase_if(events, [&](const Message& m) { return m.origin == self_; });
  std::vector<Message> ready = tracker_.Offer(std::move(events));
  if (ready.empty()) return false;
  std::map<std::uint32_t, std::uint64_t> first_seq;
  for (const Message& m : ready) first_seq.emplace(m.origin, m.seq);
  if (!apply(std::move(ready))) {
    for (const auto& [origin, seq] : first_seq) tracker_.Rewind(origin, seq - 1);
  }
  return true;
}

void Replication::NoteHeads(const Heartbeat& hb) {
  tracker_.NoteHead(hb.node, hb.head);
  for (const auto& [origin, seq] : hb.applied) {
    if (origin != self_) tracker_.NoteHead(origin, seq);
  }
}

std::vector<FetchOrder> Replication::Plan(std::int64_t now_ms, const PeerTable& peers) {
  std::vector<FetchOrder> orders;
  for (const Gap& gap : tracker_.Gaps()) {
    if (gap.origin == self_) continue;
    if (auto f = in_flight_.find(gap.origin); f != in_flight_.end()) {
      if (now_ms - f->second < kFetchTimeoutMs) continue;
      in_flight_.erase(f);
    }
    auto source = peers.SourceFor(gap);
    if (!source) continue;
    orders.push_back(FetchOrder{*source, FetchRequest{gap.origin, gap.after, fetch_batch_}});
    in_flight_[gap.origin] = now_ms;
  }
  return orders;
}

FetchReply AnswerFetch(Store& store, const FetchRequest& request, int max_batch) {
  FetchReply reply;
  reply.origin = request.origin;
  auto events = store.Range(request.origin, request.after, std::min(request.limit, max_batch));
  if (events.ok()) reply.events = std::move(*events);
  return reply;
}

}  // namespace chatctl::bus
