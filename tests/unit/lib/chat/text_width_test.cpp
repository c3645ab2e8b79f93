// Unit tests of the chat screen's measuring and wrapping (lib/chat/text_width.h): UTF-8 in and
// out, columns of wide characters, rows that never pass the width.
#include <catch2/catch.hpp>

#include <clocale>
#include <string>

#include "lib/chat/text_width.h"

using namespace chatctl::chat;

namespace {

// wcwidth knows wide characters only in a UTF-8 locale; Debian always has C.UTF-8.
void UseUtf8Locale() { REQUIRE(std::setlocale(LC_ALL, "C.UTF-8") != nullptr); }

}  // namespace

TEST_CASE("utf-8 text decodes to characters and encodes back unchanged", "[chat]") {
  std::string text = "caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80";  // café 中 😀
  std::wstring wide = Widen(text);
  CHECK(wide.size() == 8);
  CHECK(wide[3] == 0xE9);
  CHECK(wide[7] == 0x1F600);
  CHECK(Narrow(wide) == text);
}

TEST_CASE("invalid utf-8 from the network becomes replacement characters", "[chat]") {
  std::wstring wide = Widen(
      "a\xFF"
      "b\xC0\xAF"
      "c\xED\xA0\x80");
  CHECK(wide == std::wstring{L'a', 0xFFFD, L'b', 0xFFFD, 0xFFFD, L'c', 0xFFFD, 0xFFFD, 0xFFFD});
}

TEST_CASE("cjk characters and emoji take two columns, combining marks none", "[chat]") {
  UseUtf8Locale();
  CHECK(DisplayWidth(L"abc") == 3);
  CHECK(DisplayWidth(Widen("\xE4\xB8\xAD\xE6\x96\x87")) == 4);  // 中文
  CHECK(DisplayWidth(Widen("\xF0\x9F\x98\x80")) == 2);          // 😀
  CHECK(DisplayWidth(Widen("e\xCC\x81")) == 1);                 // e + combining acute
}

TEST_CASE("wrapping breaks after spaces and keeps every row within the width", "[chat]") {
  UseUtf8Locale();
  auto rows = Wrap(L"the quick brown fox jumps", 10);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0] == L"the quick ");
  CHECK(rows[1] == L"brown fox ");
  CHECK(rows[2] == L"jumps");
}

TEST_CASE("a word longer than the width is cut where the width ends", "[chat]") {
  auto rows = Wrap(L"abcdefghij", 4);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0] == L"abcd");
  CHECK(rows[2] == L"ij");
}

TEST_CASE("wide characters are never split across the edge of a row", "[chat]") {
  UseUtf8Locale();
  std::wstring text = Widen("a\xE4\xB8\xAD\xE4\xB8\xAD\xE4\xB8\xAD");  // a中中中: 7 columns
  for (int width = 2; width <= 7; ++width) {
    for (const auto& row : Wrap(text, width)) CHECK(DisplayWidth(row) <= width);
  }
  auto rows = Wrap(text, 4);
  REQUIRE(rows.size() == 2);
  CHECK(DisplayWidth(rows[0]) == 3);  // a中, the next 中 would need columns 4 and 5
}

TEST_CASE("empty text is one empty row, and fitting cuts at a whole character", "[chat]") {
  UseUtf8Locale();
  CHECK(Wrap(L"", 5) == std::vector<std::wstring>{L""});
  CHECK(FitWidth(Widen("ab\xE4\xB8\xAD"), 3) == L"ab");
}
