// Pure text helpers of `chatctl admin`: durations (--ttl, --for), percent-encoding of names in
// API paths, terminal-safe cells and aligned tables. Header-only and free of I/O so that the
// unit tests (tests/unit/admin_text_test.cpp) can use them without linking cmd/.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cmd/printable.h"
#include "lib/utf8.h"

namespace chatctl::cmd {

// "90s", "30m", "24h", "7d" as seconds: a positive count and one unit, at most ten years (which
// also keeps now + duration far from overflow). nullopt for anything else.
inline std::optional<std::int64_t> ParseDuration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    default:
      return std::nullopt;
  }
  constexpr std::int64_t kMaxSeconds = 10LL * 366 * 86400;
  std::int64_t count = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    count = count * 10 + (c - '0');
    if (count * unit > kMaxSeconds) return std::nullopt;
  }
  if (count == 0) return std::nullopt;
  return count * unit;
}

// A path segment or query value: everything but RFC 3986's unreserved characters is %XX, so a
// name with '/' or '?' can never reach another endpoint than the one meant.
inline std::string PercentEncode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

// Columns as wide as their widest cell (in code points, so "café" lines up), two spaces apart,
// no trailing blanks; one line per row, each ending in '\n'. Rows shorter than the header get
// empty cells.
inline std::string FormatTable(const std::vector<std::string>& header,
                               const std::vector<std::vector<std::string>>& rows) {
  auto width_of = [](const std::string& cell) {
    return IsValidUtf8(cell) ? CountCodePoints(cell) : cell.size();
  };
  std::vector<std::size_t> widths(header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], width_of(row[i]));
    }
  };
  measure(header);
  for (const auto& row : rows) measure(row);
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : std::string();
      line += cell;
      if (i + 1 < widths.size()) line += std::string(widths[i] - width_of(cell) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  emit(header);
  for (const auto& row : rows) emit(row);
  return out;
}

// A time from the node in UTC, as 2026-11-23T10:00:00Z. The node's message times (`ts`) are
// milliseconds; the spec does not give the unit of every field, so values that can only be
// milliseconds (past the year 5000 as seconds) are read as such, the rest as seconds.
inline std::string FormatUtc(std::int64_t time) {
  std::int64_t seconds = time >= 100000000000LL ? time / 1000 : time;
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return std::to_string(time);
  char text[32];
  if (std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
    return std::to_string(time);
  }
  return text;
}

// A ban's `until` for people: "never" for 0 (no expiry), else the time in UTC.
inline std::string FormatUntil(std::int64_t until) {
  return until <= 0 ? "never" : FormatUtc(until);
}

}  // namespace chatctl::cmd
