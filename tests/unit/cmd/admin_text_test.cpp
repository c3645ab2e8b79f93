// Unit tests of the text helpers of `chatctl admin` (cmd/admin_text.h): the durations of --ttl
// and --for, names in API paths, terminal-safe cells, aligned tables and ban expiries.
#include <catch2/catch.hpp>

#include "cmd/admin_text.h"

using namespace chatctl::cmd;

TEST_CASE("durations take one unit: seconds, minutes, hours or days", "[admin]") {
  CHECK(ParseDuration("90s") == 90);
  CHECK(ParseDuration("30m") == 1800);
  CHECK(ParseDuration("2h") == 7200);
  CHECK(ParseDuration("7d") == 604800);
}

TEST_CASE("a zero, negative, unitless, mixed or over-ten-year duration is refused", "[admin]") {
  for (const char* bad : {"", "s", "0s", "-5m", "10", "1h30m", "2w", "1.5h", "3661d", " 5m",
                          "99999999999999999999d"}) {
    INFO(bad);
    CHECK_FALSE(ParseDuration(bad).has_value());
  }
  CHECK(ParseDuration("3660d").has_value());
}

TEST_CASE("a name in a path is percent-encoded so it cannot reach another endpoint", "[admin]") {
  CHECK(PercentEncode("alice.b-c_d~") == "alice.b-c_d~");
  CHECK(PercentEncode("a/../users") == "a%2F..%2Fusers");
  CHECK(PercentEncode("x?y=1&z#") == "x%3Fy%3D1%26z%23");
  CHECK(PercentEncode("café") == "caf%C3%A9");
}

TEST_CASE("control characters from the node are shown, not obeyed", "[admin]") {
  CHECK(Printable("plain text, é") == "plain text, é");
  CHECK(Printable("a\nb\tc") == "a\\nb\\tc");
  CHECK(Printable("\x1b[31mred") == "\\x1b[31mred");
  CHECK(Printable("\xc2\x9b"
                  "2J") == "\\u009b2J");
}

TEST_CASE("a table pads each column to its widest cell, two spaces apart", "[admin]") {
  std::string table =
      FormatTable({"NAME", "ADMIN", "DISABLED"}, {{"alice", "yes", "no"}, {"bo", "no", "no"}});
  CHECK(table ==
        "NAME   ADMIN  DISABLED\n"
        "alice  yes    no\n"
        "bo     no     no\n");
}

TEST_CASE("a table measures in characters, keeps no trailing blanks, fills short rows", "[admin]") {
  std::string table = FormatTable({"NAME", "TOPIC", "N"}, {{"café", "", "1"}, {"x"}});
  CHECK(table ==
        "NAME  TOPIC  N\n"
        "café         1\n"
        "x\n");
  CHECK(FormatTable({"USER", "ROLE"}, {}) == "USER  ROLE\n");
}

TEST_CASE("a ban's expiry reads as UTC, 0 as never, milliseconds as well as seconds", "[admin]") {
  CHECK(FormatUntil(0) == "never");
  CHECK(FormatUntil(1795435200) == "2026-11-23T12:00:00Z");
  CHECK(FormatUntil(1795435200123) == "2026-11-23T12:00:00Z");
}

TEST_CASE("a message time in milliseconds reads as UTC to the second", "[admin]") {
  CHECK(FormatUtc(1795452727726) == "2026-11-23T16:52:07Z");
}
