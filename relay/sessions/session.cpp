// A client connection's state (see session.h).
#include "relay/sessions/session.h"

#include <algorithm>
#include <cstring>

namespace chatctl::relay {
namespace {
// Lines of outbox a session always keeps room for after draining: enough for ordinary chatter.
constexpr std::size_t kKeptOutboxCapacity = 64;
// Beyond that it keeps room for twice the burst it just drained: a busy room's next burst is
// likely the same size, and regrowing the vector for each one cost ~8 allocations per session.
}  // namespace

void TokenBucket::Refill(std::int64_t now_ms) {
  if (last_ms_ != 0) {
    tokens_ = std::min(burst_, tokens_ + static_cast<double>(now_ms - last_ms_) * rate_ / 1000.0);
  }
  last_ms_ = now_ms;
}

bool TokenBucket::Take(std::int64_t now_ms) {
  if (rate_ <= 0) return true;  // limit off
  Refill(now_ms);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

bool TokenBucket::Peek(std::int64_t now_ms) {
  if (rate_ <= 0) return true;
  Refill(now_ms);
  return tokens_ >= 1.0;
}

void TokenBucket::Give(std::int64_t now_ms) {
  Refill(now_ms);
  tokens_ = std::min(burst_, tokens_ + 1.0);
}

bool TokenBucket::Full(std::int64_t now_ms) {
  Refill(now_ms);
  return tokens_ >= burst_;
}

Session::Session(SessionId session_id, lws* socket, const Limits& limits, std::int64_t now_ms)
    : id(session_id),
      wsi(socket),
      hello_deadline_ms(now_ms + limits.hello_timeout_seconds * 1000LL),
      bucket(limits.rate_per_second, limits.rate_burst),
      max_out_bytes_(limits.max_outbound_bytes) {}

bool Session::Enqueue(Line line) {
  if (!accepts_output()) return true;  // nothing more goes to a connection on its way out
  out_bytes_ += line->size() + 1;
  out_.push_back(std::move(line));
  return out_bytes_ <= max_out_bytes_;
}

void Session::TakeFrame(std::size_t prefix, std::size_t max_bytes,
                        std::vector<unsigned char>& frame) {
  // Size the frame first, then copy each line once: this is the innermost loop of fan-out.
  std::size_t body = 0, end = out_head_;
  for (; end < out_.size(); ++end) {
    std::size_t add = out_[end]->size() + (body > 0 ? 1 : 0);
    if (body > 0 && body + add > max_bytes) break;
    body += add;
  }
  frame.resize(prefix + body);
  unsigned char* at = frame.data() + prefix;
  for (std::size_t i = out_head_; i < end; ++i) {
    if (i > out_head_) *at++ = '\n';
    std::memcpy(at, out_[i]->data(), out_[i]->size());
    at += out_[i]->size();
    out_bytes_ -= out_[i]->size() + 1;
    out_[i].reset();  // the shared bytes go as soon as the last session has written them
  }
  out_head_ = end;
  if (!has_output()) {
    // Drained: start over, and give back what an outsized burst made the vector grow to.
    std::size_t burst = out_.size();
    out_.clear();
    out_head_ = 0;
    if (out_.capacity() > std::max(kKeptOutboxCapacity, 2 * burst)) out_.shrink_to_fit();
  } else if (out_head_ * 2 >= out_.size()) {
    // A session that never quite drains: drop the written half, or the vector grows for ever.
    out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(out_head_));
    out_head_ = 0;
  }
}

void Session::RequestClose(std::uint16_t code, std::string reason, bool discard_output) {
  if (closing()) return;
  close_code = code;
  close_reason = std::move(reason);
  if (discard_output) {
    discarded_ = true;
    out_ = {};
    out_head_ = 0;
    out_bytes_ = 0;
  }
}

bool Session::SeenElsewhere(JoinedChannel& channel, std::uint32_t origin, std::uint64_t seq) {
  auto it = channel.seen_elsewhere.find(origin);
  if (it == channel.seen_elsewhere.end()) return false;
  if (seq <= it->second) return true;
  // Events of one origin come in seq order: nothing more of it can be at or below.
  channel.seen_elsewhere.erase(it);
  if (channel.seen_elsewhere.empty()) --seen_elsewhere_channels;
  return false;
}

}  // namespace chatctl::relay
