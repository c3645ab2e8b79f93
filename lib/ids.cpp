// Snowflake ids (lib/ids.h). The generator never trusts the clock to move forward: ordering comes
// from the last id handed out, the clock only lets the time part catch up.
#include "lib/ids.h"

#include <chrono>
#include <cstdint>
#include <limits>
#include <utility>

namespace chatctl {
namespace {

constexpr unsigned kSeqBits = 12;
constexpr unsigned kNodeBits = 10;
constexpr std::uint32_t kMaxSeq = (1u << kSeqBits) - 1;
constexpr unsigned kTimeShift = kSeqBits + kNodeBits;

}  // namespace

std::int64_t SystemClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// An out-of-range node id is a configuration bug caught where the config is read; masking here
// keeps it from spilling into the time bits.
IdGenerator::IdGenerator(unsigned node_id, Clock clock)
    : node_id_(node_id & kMaxNodeId), clock_(std::move(clock)) {}

MessageId IdGenerator::Next() {
  std::int64_t now = clock_() - kIdEpochMs;
  if (now < 0) now = 0;  // a clock set before 2020 would otherwise make negative ids
  if (now > last_ms_) {
    last_ms_ = now;
    seq_ = 0;
  } else if (seq_ < kMaxSeq) {
    ++seq_;
  } else {
    // Borrowed milliseconds are paid back once the clock passes last_ms_ again.
    ++last_ms_;
    seq_ = 0;
  }
  return (static_cast<MessageId>(last_ms_) << kTimeShift) |
         (static_cast<MessageId>(node_id_) << kSeqBits) | seq_;
}

void IdGenerator::AdvancePast(MessageId floor) {
  auto floor_ms = static_cast<std::int64_t>(floor >> kTimeShift);
  if (floor_ms < last_ms_) return;
  // A full sequence makes Next() borrow floor_ms + 1, above any node's id in floor_ms.
  last_ms_ = floor_ms;
  seq_ = kMaxSeq;
}

std::int64_t IdTimestampMs(MessageId id) {
  return static_cast<std::int64_t>(id >> kTimeShift) + kIdEpochMs;
}

unsigned IdNode(MessageId id) { return static_cast<unsigned>((id >> kSeqBits) & kMaxNodeId); }

std::string IdToString(MessageId id) { return std::to_string(id); }

std::optional<MessageId> ParseId(std::string_view text) {
  if (text.empty()) return std::nullopt;
  constexpr auto kMax = static_cast<MessageId>(std::numeric_limits<std::int64_t>::max());
  MessageId value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    auto digit = static_cast<MessageId>(c - '0');
    if (value > (kMax - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace chatctl
