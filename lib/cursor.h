// A resume cursor: for one channel, per origin node, the seq of the last of that origin's events a
// client has been given. Each origin numbers its events 1, 2, 3 ... with no holes and every node
// applies them in that order, so "seq at most N" names exactly what was seen, whatever the ids'
// clocks say. On the wire it is an opaque string (docs/protocol.md): "ORIGIN.SEQ" pairs joined by
// ",", origins ascending; "" for nothing seen. Pure: no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "lib/result.h"

namespace chatctl {

// origin node id -> the last seq seen of that origin (an absent origin: none seen).
using ResumeCursor = std::map<std::uint32_t, std::uint64_t>;

// The longest cursor string a node reads: every possible origin (1024) with a 19-digit seq.
constexpr std::size_t kMaxCursorBytes = 1024 * 25;

std::string FormatCursor(const ResumeCursor& cursor);
// bad_request for anything FormatCursor would not write: other characters, an origin above the
// node id range or out of order or repeated, a seq past 2^63-1, or more than kMaxCursorBytes.
Result<ResumeCursor> ParseCursor(std::string_view text);

// Folds an event the client was given into its cursor (the larger seq stays).
void Advance(ResumeCursor& cursor, std::uint32_t origin, std::uint64_t seq);
// The larger position of each origin of the two.
ResumeCursor Merge(const ResumeCursor& a, const ResumeCursor& b);
// The position of `origin` (0: none seen).
std::uint64_t PositionOf(const ResumeCursor& cursor, std::uint32_t origin);

}  // namespace chatctl
