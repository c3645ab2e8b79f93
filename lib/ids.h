// Snowflake message ids: 41 bits of milliseconds since kIdEpochMs, 10 bits of node id, 12 bits
// of sequence. Ids of one generator strictly increase, even when the wall clock steps back.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace chatctl {

using MessageId = std::uint64_t;

// 2020-01-01T00:00:00Z. Ids stay positive int64 (SQLite INTEGER) until about 2089.
constexpr std::int64_t kIdEpochMs = 1577836800000;
constexpr unsigned kMaxNodeId = 1023;

std::int64_t SystemClockMs();

// Owned by one thread (the gateway); not thread-safe.
class IdGenerator {
 public:
  using Clock = std::function<std::int64_t()>;  // milliseconds since the Unix epoch
  explicit IdGenerator(unsigned node_id, Clock clock = SystemClockMs);

  // The next id. When the clock stands still or steps back, the sequence counts on from the last
  // id; when the sequence runs out within one millisecond, the id borrows the next millisecond.
  MessageId Next();
  // Every later id is greater than `floor`: a restarted node whose clock stepped back still
  // orders its new messages after the history it already holds.
  void AdvancePast(MessageId floor);

 private:
  unsigned node_id_;
  Clock clock_;
  std::int64_t last_ms_ = 0;  // relative to kIdEpochMs
  std::uint32_t seq_ = 0;
};

std::int64_t IdTimestampMs(MessageId id);  // milliseconds since the Unix epoch
unsigned IdNode(MessageId id);
std::string IdToString(MessageId id);
// Decimal digits only, no sign, no leading '+', fits in 63 bits; nullopt otherwise.
std::optional<MessageId> ParseId(std::string_view text);

}  // namespace chatctl
