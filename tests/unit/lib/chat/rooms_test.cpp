// Unit tests of the chat client's rooms (lib/chat/rooms.h): order by id, at most once, unread
// counts and mentions, pending lines marked sent or failed, the scrollback cap.
#include <catch2/catch.hpp>

#include <string>

#include "lib/chat/rooms.h"

using namespace chatctl::chat;

namespace {

IncomingMessage Msg(chatctl::MessageId id, const std::string& channel, const std::string& from,
                    const std::string& text = "hi") {
  return {id, channel, from, text, 1700000000000};
}

std::vector<chatctl::MessageId> Ids(const Room& room) {
  std::vector<chatctl::MessageId> ids;
  for (const auto& line : room.lines) ids.push_back(line.id);
  return ids;
}

}  // namespace

TEST_CASE("messages are shown once each, in id order, however they arrive", "[chat]") {
  Rooms rooms("alice", 100);
  rooms.Open("general");
  CHECK(rooms.AddMessage(Msg(20, "general", "bob")));
  CHECK(rooms.AddMessage(Msg(30, "general", "bob")));
  CHECK(rooms.AddMessage(Msg(10, "general", "bob")));  // a history page
  CHECK(rooms.AddMessage(Msg(25, "general", "bob")));
  CHECK_FALSE(rooms.AddMessage(Msg(20, "general", "bob")));  // a replay after a reconnect
  CHECK(Ids(*rooms.Find("general")) == std::vector<chatctl::MessageId>{10, 20, 25, 30});
  CHECK(rooms.Find("general")->oldest == 10);
  CHECK(rooms.Find("general")->newest == 30);
}

TEST_CASE("messages to a room not on screen count as unread until it is shown", "[chat]") {
  Rooms rooms("alice", 100);
  rooms.Open("general");
  rooms.Open("random");
  rooms.Activate(std::size_t{0});
  rooms.AddMessage(Msg(1, "general", "bob"));
  rooms.AddMessage(Msg(2, "random", "bob"));
  rooms.AddMessage(Msg(3, "random", "carol"));
  rooms.AddMessage(Msg(4, "random", "alice"));  // our own, from another session
  CHECK(rooms.Find("general")->unread == 0);
  CHECK(rooms.Find("random")->unread == 2);
  CHECK_FALSE(rooms.Find("random")->mention);
  rooms.Next();
  CHECK(rooms.active()->channel == "random");
  CHECK(rooms.Find("random")->unread == 0);
}

TEST_CASE("a message naming the user marks its room as a mention, and dms always do", "[chat]") {
  Rooms rooms("alice", 100);
  rooms.Open("general");
  rooms.Open("random");
  rooms.Open("ops");
  rooms.AddMessage(Msg(1, "random", "bob", "ask Alice: she knows"));
  rooms.AddMessage(Msg(2, "ops", "bob", "malice is not a name"));
  rooms.AddMessage(Msg(3, "dm:alice:bob", "bob", "psst"));
  CHECK(rooms.Find("random")->mention);
  CHECK_FALSE(rooms.Find("ops")->mention);
  CHECK(rooms.Find("dm:alice:bob")->mention);
  CHECK(rooms.Find("dm:alice:bob")->title == "@bob");
  // Alt-A goes to mentions before plain unread rooms.
  CHECK(rooms.NextUnread());
  CHECK(rooms.active()->channel == "random");
  CHECK(rooms.NextUnread());
  CHECK(rooms.active()->channel == "dm:alice:bob");
  CHECK(rooms.NextUnread());
  CHECK(rooms.active()->channel == "ops");
  CHECK_FALSE(rooms.NextUnread());
}

TEST_CASE("a typed line is pending until its ack, then a message with its id", "[chat]") {
  Rooms rooms("alice", 100);
  rooms.Open("general");
  auto local = rooms.AddPending("general", "hello", 1);
  CHECK(rooms.Find("general")->lines.back().kind == LineKind::kPending);
  rooms.Acked(local, "general", 77, 2);
  const ChatLine& line = rooms.Find("general")->lines.back();
  CHECK(line.kind == LineKind::kMessage);
  CHECK(line.id == 77);
  // The node's echo of it is not shown again.
  CHECK_FALSE(rooms.AddMessage(Msg(77, "general", "alice", "hello")));
  CHECK(rooms.Find("general")->lines.size() == 1);
}

TEST_CASE("an echo that comes before the ack leaves one line, not two", "[chat]") {
  Rooms rooms("alice", 100);
  rooms.Open("general");
  auto local = rooms.AddPending("general", "hello", 1);
  rooms.AddMessage(Msg(77, "general", "alice", "hello"));
  rooms.Acked(local, "general", 77, 2);
  REQUIRE(rooms.Find("general")->lines.size() == 1);
  CHECK(rooms.Find("general")->lines.front().kind == LineKind::kMessage);
}

TEST_CASE("a refused line is kept, marked failed with the reason", "[chat]") {
  Rooms rooms("alice", 100);
  rooms.Open("general");
  auto local = rooms.AddPending("general", "hello", 1);
  rooms.Failed(local, "connection lost");
  const ChatLine& line = rooms.Find("general")->lines.back();
  CHECK(line.kind == LineKind::kFailed);
  CHECK(line.text == "hello");
  CHECK(line.note == "connection lost");
}

TEST_CASE("scrollback keeps the newest lines up to the cap", "[chat]") {
  Rooms rooms("alice", 3);
  for (chatctl::MessageId id = 1; id <= 10; ++id) rooms.AddMessage(Msg(id, "general", "bob"));
  CHECK(Ids(*rooms.Find("general")) == std::vector<chatctl::MessageId>{8, 9, 10});
  CHECK(rooms.Find("general")->seen.size() == 3);
  CHECK(rooms.Find("general")->oldest == 8);
}

TEST_CASE("closing the room on screen shows its neighbour", "[chat]") {
  Rooms rooms("alice", 10);
  rooms.Open("a");
  rooms.Open("b");
  rooms.Open("c");
  rooms.Activate(std::size_t{2});
  rooms.Close("c");
  CHECK(rooms.active()->channel == "b");
  rooms.Close("a");
  CHECK(rooms.active()->channel == "b");
  CHECK(rooms.size() == 1);
}

TEST_CASE("a replayed message brings its edit, deletion and reactions to the line shown",
          "[chat]") {
  Rooms rooms("alice", 10);
  rooms.AddMessage(Msg(1, "general", "bob", "helo"));
  rooms.AddMessage(Msg(2, "general", "bob", "gone soon"));
  IncomingMessage edited = Msg(1, "general", "bob", "hello");
  edited.edited = true;
  edited.reactions = "+1 2";
  IncomingMessage deleted = Msg(2, "general", "bob", "");
  deleted.deleted = true;
  CHECK_FALSE(rooms.AddMessage(edited));
  CHECK_FALSE(rooms.AddMessage(deleted));
  const ChatLine* first = rooms.FindMessage("general", 1);
  REQUIRE(first != nullptr);
  CHECK(first->text == "hello");
  CHECK(first->edited);
  CHECK(first->reactions == "+1 2");
  CHECK(rooms.FindMessage("general", 2)->deleted);
  CHECK(rooms.Find("general")->lines.size() == 2);
}

TEST_CASE("history shown on opening a room is not counted as unread", "[chat]") {
  Rooms rooms("alice", 10);
  rooms.Open("general");
  rooms.Open("random");
  rooms.AddMessage(Msg(1, "random", "bob"), /*news=*/false);
  CHECK(rooms.Find("random")->unread == 0);
  rooms.AddMessage(Msg(2, "random", "bob"));
  CHECK(rooms.Find("random")->unread == 1);
}

TEST_CASE("a line marked failed that the node did store becomes that message, not a second line",
          "[chat]") {
  // The connection dropped after the node committed the line but before its ack came: the rejoin
  // after the reconnect replays it.
  Rooms rooms("alice", 10);
  rooms.Open("general");
  auto local = rooms.AddPending("general", "did it go?", 1);
  rooms.Failed(local, "connection lost");
  CHECK(rooms.AddMessage(Msg(9, "general", "alice", "did it go?")));
  REQUIRE(rooms.Find("general")->lines.size() == 1);
  const ChatLine& line = rooms.Find("general")->lines.front();
  CHECK(line.kind == LineKind::kMessage);
  CHECK(line.id == 9);
  CHECK(line.note.empty());
}
