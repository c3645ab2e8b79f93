// Unit tests of the chat input line (lib/chat/input_line.h): readline's editing keys and the
// history of sent lines.
#include <catch2/catch.hpp>

#include <clocale>
#include <string>

#include "lib/chat/input_line.h"

using chatctl::chat::InputLine;

namespace {

InputLine Typed(const std::wstring& text) {
  InputLine line;
  line.Insert(text);
  return line;
}

}  // namespace

TEST_CASE("typing inserts at the cursor, which moves with the arrows and home and end", "[chat]") {
  InputLine line = Typed(L"helo");
  line.Left();
  line.Insert(L'l');
  CHECK(line.text() == L"hello");
  line.Home();
  line.Insert(L'>');
  line.End();
  line.Insert(L'!');
  CHECK(line.text() == L">hello!");
  CHECK(line.cursor() == 7);
}

TEST_CASE("ctrl-w kills the word before the cursor and ctrl-y puts it back", "[chat]") {
  InputLine line = Typed(L"say hello world  ");
  line.KillWordBack();
  CHECK(line.text() == L"say hello ");
  line.Home();
  line.Yank();
  CHECK(line.text() == L"world  say hello ");
}

TEST_CASE("ctrl-u kills to the start and ctrl-k to the end of the line", "[chat]") {
  InputLine line = Typed(L"one two three");
  line.WordLeft();
  line.KillToStart();
  CHECK(line.text() == L"three");
  CHECK(line.cursor() == 0);
  line.Right();
  line.KillToEnd();
  CHECK(line.text() == L"t");
}

TEST_CASE("alt-b and alt-f move over whole words", "[chat]") {
  InputLine line = Typed(L"alpha beta gamma");
  line.WordLeft();
  CHECK(line.cursor() == 11);
  line.WordLeft();
  CHECK(line.cursor() == 6);
  line.Home();
  line.WordRight();
  CHECK(line.cursor() == 5);
}

TEST_CASE("up and down walk the sent lines and give back the line being typed", "[chat]") {
  InputLine line;
  line.Insert(L"first");
  CHECK(line.Take() == L"first");
  line.Insert(L"second");
  line.Take();
  line.Insert(L"draft");
  line.HistoryUp();
  CHECK(line.text() == L"second");
  line.HistoryUp();
  CHECK(line.text() == L"first");
  line.HistoryUp();
  CHECK(line.text() == L"first");
  line.HistoryDown();
  line.HistoryDown();
  CHECK(line.text() == L"draft");
}

TEST_CASE("the same line sent twice in a row is remembered once", "[chat]") {
  InputLine line;
  for (int i = 0; i < 2; ++i) {
    line.Insert(L"again");
    line.Take();
  }
  line.Insert(L"x");
  line.Take();
  line.HistoryUp();
  line.HistoryUp();
  CHECK(line.text() == L"again");
  line.HistoryUp();
  CHECK(line.text() == L"again");
}

TEST_CASE("the cursor column counts wide characters as two", "[chat]") {
  InputLine line = Typed(std::wstring{L'a', 0x4E2D, L'b'});
  std::setlocale(LC_ALL, "C.UTF-8");
  CHECK(line.CursorColumn() == 4);
}
