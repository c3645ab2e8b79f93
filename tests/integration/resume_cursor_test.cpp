// The resume cursor extension (docs/protocol.md) against a real node: `joined` gives a cursor, each
// `msg` its origin and seq, a join with the cursor replays exactly what came after it, a cursor
// ahead of the node drops what the client already has, and a hostile cursor is a bad_request.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "lib/cursor.h"
#include "support/process.h"
#include "support/raw_ws.h"
#include "support/requests.h"

using namespace chatctl::test;
using nlohmann::json;

namespace {

std::vector<std::string> Texts(const json& messages) {
  std::vector<std::string> texts;
  for (const auto& m : messages) texts.push_back(m["text"].get<std::string>());
  return texts;
}

chatctl::ResumeCursor CursorOf(const json& joined) {
  REQUIRE(joined["cursor"].is_string());
  auto cursor = chatctl::ParseCursor(joined["cursor"].get<std::string>());
  REQUIRE(cursor.ok());
  return *cursor;
}

void SendAll(RawWs& ws, const std::string& channel, const std::vector<std::string>& texts) {
  for (const auto& text : texts) {
    auto ack = Ask(ws, {{"type", "send"}, {"channel", channel}, {"text", text}});
    REQUIRE(ack["type"] == "ack");
  }
}

}  // namespace

TEST_CASE("a join with the cursor of an earlier joined replays exactly what came after it",
          "[resume]") {
  TempDir dir;
  Node node(dir.path() + "/n");
  auto writer = OpenSession(node.port(), "writer");
  SendAll(*writer, "news", {"a", "b"});

  auto first = OpenSession(node.port(), "reader");
  json joined = Ask(*first, {{"type", "join"}, {"channel", "news"}, {"last", 0}});
  REQUIRE(joined["type"] == "joined");
  chatctl::ResumeCursor cursor = CursorOf(joined);
  SendAll(*writer, "news", {"c"});
  auto live = first->ReadType("msg");
  REQUIRE(live);
  CHECK((*live)["text"] == "c");
  // Every msg says where it comes from; the client folds it into its cursor.
  REQUIRE((*live)["origin"].is_number_unsigned());
  REQUIRE((*live)["seq"].is_number_unsigned());
  auto origin = (*live)["origin"].get<std::uint32_t>();
  auto seq = (*live)["seq"].get<std::uint64_t>();
  CHECK(seq > chatctl::PositionOf(cursor, origin));
  chatctl::Advance(cursor, origin, seq);
  first.reset();

  SendAll(*writer, "news", {"d", "e"});
  SendAll(*writer, "elsewhere", {"x"});
  auto second = OpenSession(node.port(), "reader");
  json resumed = Ask(
      *second, {{"type", "join"}, {"channel", "news"}, {"cursor", chatctl::FormatCursor(cursor)}});
  REQUIRE(resumed["type"] == "joined");
  CHECK(Texts(resumed["messages"]) == std::vector<std::string>{"d", "e"});
  // The node's head: "x" is within it, though no replay of news holds it.
  CHECK(chatctl::PositionOf(CursorOf(resumed), origin) >= seq + 3);
  CHECK_FALSE(resumed.contains("truncated"));

  // An empty cursor is "nothing seen": the whole channel.
  auto third = OpenSession(node.port(), "reader");
  json all = Ask(*third, {{"type", "join"}, {"channel", "news"}, {"cursor", ""}});
  CHECK(Texts(all["messages"]) == std::vector<std::string>{"a", "b", "c", "d", "e"});
}

TEST_CASE("a cursor replay past the limit is truncated and its cursor pages on exactly",
          "[resume]") {
  TempDir dir;
  Node node(dir.path() + "/n", {"--since-replay-max", "3", "--rate-limit", "0"});
  auto writer = OpenSession(node.port(), "writer");
  SendAll(*writer, "news", {"1", "2", "3", "4", "5"});
  auto reader = OpenSession(node.port(), "reader");
  json page = Ask(*reader, {{"type", "join"}, {"channel", "news"}, {"cursor", ""}});
  CHECK(Texts(page["messages"]) == std::vector<std::string>{"1", "2", "3"});
  CHECK(page["truncated"] == true);
  REQUIRE(Ask(*reader, {{"type", "leave"}, {"channel", "news"}})["type"] == "left");
  json rest = Ask(*reader, {{"type", "join"}, {"channel", "news"}, {"cursor", page["cursor"]}});
  CHECK(Texts(rest["messages"]) == std::vector<std::string>{"4", "5"});
  CHECK_FALSE(rest.contains("truncated"));
}

TEST_CASE("messages a cursor says the client already has are not sent again when they come live",
          "[resume]") {
  // As when a client fails over to a node that has not yet applied everything it saw: here the
  // cursor runs two events ahead of the node, which are then sent.
  TempDir dir;
  Node node(dir.path() + "/n");
  auto writer = OpenSession(node.port(), "writer");
  SendAll(*writer, "news", {"a"});
  auto reader = OpenSession(node.port(), "reader");
  chatctl::ResumeCursor now =
      CursorOf(Ask(*reader, {{"type", "join"}, {"channel", "news"}, {"last", 0}}));
  REQUIRE(now.size() == 1);
  REQUIRE(Ask(*reader, {{"type", "leave"}, {"channel", "news"}})["type"] == "left");
  chatctl::ResumeCursor ahead = now;
  ahead.begin()->second += 2;
  json joined = Ask(
      *reader, {{"type", "join"}, {"channel", "news"}, {"cursor", chatctl::FormatCursor(ahead)}});
  CHECK(joined["messages"].empty());
  CHECK(CursorOf(joined) == ahead);
  SendAll(*writer, "news", {"b", "c", "d"});
  auto next = reader->ReadType("msg");
  REQUIRE(next);
  CHECK((*next)["text"] == "d");
  CHECK(Pending(*reader).empty());
}

TEST_CASE("a hostile cursor is a bad_request and the session goes on", "[resume]") {
  TempDir dir;
  Node node(dir.path() + "/n");
  auto ws = OpenSession(node.port(), "probe");
  std::string huge;
  for (int i = 0; i < 6000; ++i) huge += std::to_string(i % 1024) + ".1,";
  for (const std::string& cursor :
       {std::string("1.2,"), std::string("5000.1"), std::string("2.1,1.1"),
        std::string("1.99999999999999999999"), std::string("abc"), huge}) {
    INFO(cursor.substr(0, 40));
    CHECK(AskCode(*ws, {{"type", "join"}, {"channel", "news"}, {"cursor", cursor}}) ==
          "bad_request");
  }
  CHECK(AskCode(*ws, {{"type", "join"}, {"channel", "news"}, {"cursor", "1.1"}, {"since", "5"}}) ==
        "bad_request");
  // Origins this node has never heard of are only positions: nothing of them to replay.
  json joined = Ask(*ws, {{"type", "join"}, {"channel", "news"}, {"cursor", "7.5,1023.9"}});
  REQUIRE(joined["type"] == "joined");
  chatctl::ResumeCursor given = CursorOf(joined);
  CHECK(chatctl::PositionOf(given, 7) == 5);
  CHECK(chatctl::PositionOf(given, 1023) == 9);
}
