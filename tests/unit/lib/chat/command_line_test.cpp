// Unit tests of the chat client's typed commands (lib/chat/command_line.h).
#include <catch2/catch.hpp>

#include "lib/chat/command_line.h"

using namespace chatctl::chat;

TEST_CASE("a line without a slash is said as it is", "[chat]") {
  auto c = ParseCommandLine("hello /world");
  CHECK(c.kind == CommandKind::kSay);
  CHECK(c.text == "hello /world");
}

TEST_CASE("two slashes say a line that starts with one", "[chat]") {
  auto c = ParseCommandLine("//shrug");
  CHECK(c.kind == CommandKind::kSay);
  CHECK(c.text == "/shrug");
}

TEST_CASE("commands take their arguments and text", "[chat]") {
  auto join = ParseCommandLine("/join  ops ");
  CHECK(join.kind == CommandKind::kJoin);
  CHECK(join.arg == "ops");
  auto msg = ParseCommandLine("/msg bob see you  later");
  CHECK(msg.kind == CommandKind::kMsg);
  CHECK(msg.arg == "bob");
  CHECK(msg.text == "see you  later");
  auto me = ParseCommandLine("/me waves");
  CHECK(me.kind == CommandKind::kMe);
  CHECK(me.text == "waves");
  CHECK(ParseCommandLine("/leave").kind == CommandKind::kLeave);
  CHECK(ParseCommandLine("/quit").kind == CommandKind::kQuit);
}

TEST_CASE("a command used wrongly says how to use it", "[chat]") {
  auto c = ParseCommandLine("/msg bob");
  CHECK(c.kind == CommandKind::kUsage);
  CHECK(c.text == "/msg USER TEXT");
  CHECK(ParseCommandLine("/join").kind == CommandKind::kUsage);
  CHECK(ParseCommandLine("/join a b").kind == CommandKind::kUsage);
}

TEST_CASE("an unknown command is named back", "[chat]") {
  auto c = ParseCommandLine("/frobnicate now");
  CHECK(c.kind == CommandKind::kUnknown);
  CHECK(c.arg == "/frobnicate");
}
