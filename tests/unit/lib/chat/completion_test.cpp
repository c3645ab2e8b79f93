// Unit tests of Tab completion on the chat input line (lib/chat/completion.h).
#include <catch2/catch.hpp>

#include "lib/chat/completion.h"

using namespace chatctl::chat;

namespace {

CompletionSources Sources() {
  return {{"/join", "/leave", "/me", "/msg"}, {"general", "games"}, {"bob", "bobby", "carol"}};
}

InputLine Typed(const std::wstring& text) {
  InputLine line;
  line.Insert(text);
  return line;
}

}  // namespace

TEST_CASE("a name at the start of a line completes to an address", "[chat]") {
  InputLine line = Typed(L"car");
  auto matches = Complete(line, Sources());
  CHECK(matches == std::vector<std::string>{"carol"});
  CHECK(line.text() == L"carol: ");
}

TEST_CASE("a name inside a line completes with a space", "[chat]") {
  InputLine line = Typed(L"ask car");
  Complete(line, Sources());
  CHECK(line.text() == L"ask carol ");
}

TEST_CASE("several matches complete their common prefix and are listed", "[chat]") {
  InputLine line = Typed(L"hi b");
  auto matches = Complete(line, Sources());
  CHECK(matches == std::vector<std::string>{"bob", "bobby"});
  CHECK(line.text() == L"hi bob");
}

TEST_CASE("commands and rooms complete by their marks", "[chat]") {
  InputLine command = Typed(L"/j");
  Complete(command, Sources());
  CHECK(command.text() == L"/join ");
  InputLine room = Typed(L"/join #gen");
  Complete(room, Sources());
  CHECK(room.text() == L"/join #general ");
}

TEST_CASE("nothing matching leaves the line as it was", "[chat]") {
  InputLine line = Typed(L"zzz");
  CHECK(Complete(line, Sources()).empty());
  CHECK(line.text() == L"zzz");
}
