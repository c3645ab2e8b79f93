// Resume cursors (lib/cursor.h): the string form both ways, and every malformed or hostile string
// refused as bad_request rather than read in part.
#include "lib/cursor.h"

#include <catch2/catch.hpp>
#include <string>

namespace chatctl {
namespace {

std::string Refusal(const std::string& text) {
  auto parsed = ParseCursor(text);
  if (parsed.ok()) return "accepted";
  return parsed.error().code;
}

}  // namespace

TEST_CASE("a cursor is written as ascending origin.seq pairs and read back the same", "[cursor]") {
  ResumeCursor cursor{{0, 5}, {2, 9223372036854775807ULL}, {1023, 1}};
  std::string text = FormatCursor(cursor);
  CHECK(text == "0.5,2.9223372036854775807,1023.1");
  auto parsed = ParseCursor(text);
  REQUIRE(parsed.ok());
  CHECK(*parsed == cursor);
}

TEST_CASE("an empty cursor means nothing seen, and a seq of 0 is the same as no entry",
          "[cursor]") {
  auto empty = ParseCursor("");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  auto zero = ParseCursor("3.0,4.7");
  REQUIRE(zero.ok());
  CHECK(*zero == ResumeCursor{{4, 7}});
  CHECK(FormatCursor({{3, 0}, {4, 7}}) == "4.7");
}

TEST_CASE("a malformed or hostile cursor is a bad_request", "[cursor]") {
  for (const char* text : {"x",
                           "1",
                           "1.",
                           ".1",
                           "1.2,",
                           ",1.2",
                           "1.2,,3.4",
                           "1.2.3",
                           "-1.2",
                           "1.-2",
                           "+1.2",
                           "1. 2",
                           "1.2 ",
                           "1024.1",
                           "99999999999999999999999.1",
                           "2.1,1.5",
                           "1.1,1.2",
                           "1.9223372036854775808",
                           "1.99999999999999999999",
                           "1.18446744073709551616",
                           "1.2\n3.4"}) {
    INFO(text);
    CHECK(Refusal(text) == "bad_request");
  }
  std::string huge;
  for (int i = 0; i < 5000; ++i) huge += "1.1,";
  CHECK(Refusal(huge + "1.1") == "bad_request");
  CHECK(Refusal(std::string("1.2\0", 4)) == "bad_request");
}

TEST_CASE("a cursor with every origin at the largest seq is still read", "[cursor]") {
  ResumeCursor all;
  for (std::uint32_t origin = 0; origin <= 1023; ++origin) all[origin] = 9223372036854775807ULL;
  std::string text = FormatCursor(all);
  CHECK(text.size() <= kMaxCursorBytes);
  auto parsed = ParseCursor(text);
  REQUIRE(parsed.ok());
  CHECK(parsed->size() == 1024);
}

TEST_CASE("advancing and merging keep the larger position of each origin", "[cursor]") {
  ResumeCursor c{{1, 10}};
  Advance(c, 1, 4);
  Advance(c, 2, 3);
  Advance(c, 3, 0);
  CHECK(c == ResumeCursor{{1, 10}, {2, 3}});
  CHECK(Merge(c, {{1, 12}, {5, 1}}) == ResumeCursor{{1, 12}, {2, 3}, {5, 1}});
  CHECK(PositionOf(c, 2) == 3);
  CHECK(PositionOf(c, 7) == 0);
}

}  // namespace chatctl
