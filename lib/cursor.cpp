// Resume cursors (see cursor.h): the string form and folding events in.
#include "lib/cursor.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "lib/ids.h"

namespace chatctl {
namespace {

// Decimal digits, no sign, at most `max`; nullopt for anything else (an empty number included).
std::optional<std::uint64_t> ReadNumber(std::string_view digits, std::uint64_t max) {
  if (digits.empty() || digits.size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

Error Bad(const std::string& why) { return Error{"bad_request", "bad cursor: " + why}; }

}  // namespace

std::string FormatCursor(const ResumeCursor& cursor) {
  std::string out;
  for (const auto& [origin, seq] : cursor) {
    if (seq == 0) continue;  // nothing seen of it: the same as absent
    if (!out.empty()) out += ',';
    out += std::to_string(origin);
    out += '.';
    out += std::to_string(seq);
  }
  return out;
}

Result<ResumeCursor> ParseCursor(std::string_view text) {
  ResumeCursor cursor;
  if (text.size() > kMaxCursorBytes) return Bad("longer than any cursor a node gives");
  constexpr auto kMaxSeq = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::optional<std::uint32_t> previous;
  while (!text.empty()) {
    std::size_t comma = text.find(',');
    std::string_view pair = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (comma != std::string_view::npos && text.empty()) return Bad("ends with ','");
    std::size_t dot = pair.find('.');
    if (dot == std::string_view::npos) return Bad("expected ORIGIN.SEQ pairs");
    auto origin = ReadNumber(pair.substr(0, dot), kMaxNodeId);
    if (!origin) return Bad("origin is not a node id (0 to " + std::to_string(kMaxNodeId) + ")");
    auto seq = ReadNumber(pair.substr(dot + 1), kMaxSeq);
    if (!seq) return Bad("seq is not a number up to 2^63-1");
    auto node = static_cast<std::uint32_t>(*origin);
    if (previous && node <= *previous) return Bad("origins must be ascending and unique");
    previous = node;
    if (*seq > 0) cursor[node] = *seq;
  }
  return cursor;
}

void Advance(ResumeCursor& cursor, std::uint32_t origin, std::uint64_t seq) {
  if (seq == 0) return;
  std::uint64_t& at = cursor[origin];
  at = std::max(at, seq);
}

ResumeCursor Merge(const ResumeCursor& a, const ResumeCursor& b) {
  ResumeCursor out = a;
  for (const auto& [origin, seq] : b) Advance(out, origin, seq);
  return out;
}

std::uint64_t PositionOf(const ResumeCursor& cursor, std::uint32_t origin) {
  auto it = cursor.find(origin);
  return it == cursor.end() ? 0 : it->second;
}

}  // namespace chatctl
