// Private rooms and direct messages against a real `chatctl serve` in open mode: who is refused
// what, with which error, and that nothing of the room reaches those refused.
// (A dm's join, send, history and presence by a third user are in ws_protocol_test.cpp.)
#include <catch2/catch.hpp>

#include "support/process.h"
#include "support/raw_ws.h"
#include "support/requests.h"

using namespace chatctl::test;
using nlohmann::json;

namespace {

// Alice owns the private room "staff" with bob as a member; both are joined to it. Carol is
// joined to "lobby" only.
struct StaffRoom {
  explicit StaffRoom(int port)
      : alice(OpenSession(port, "alice")),
        bob(OpenSession(port, "bob")),
        carol(OpenSession(port, "carol")) {
    json created = Ask(*alice, {{"type", "create"}, {"channel", "staff"}, {"private", true}});
    INFO(created.dump());
    REQUIRE(created["type"] == "ok");
    REQUIRE(created["kind"] == "private");
    json invited = Ask(*alice, {{"type", "invite"}, {"channel", "staff"}, {"user", "bob"}});
    INFO(invited.dump());
    REQUIRE(invited["type"] == "ok");
    REQUIRE(Ask(*alice, {{"type", "join"}, {"channel", "staff"}})["type"] == "joined");
    REQUIRE(Ask(*bob, {{"type", "join"}, {"channel", "staff"}})["type"] == "joined");
    REQUIRE(Ask(*alice, {{"type", "join"}, {"channel", "lobby"}})["type"] == "joined");
    REQUIRE(Ask(*carol, {{"type", "join"}, {"channel", "lobby"}})["type"] == "joined");
  }
  std::unique_ptr<RawWs> alice, bob, carol;
};

json Msg(RawWs& ws, const std::string& channel, const std::string& text) {
  json ack = Ask(ws, {{"type", "send"}, {"channel", channel}, {"text", text}});
  INFO(ack.dump());
  REQUIRE(ack["type"] == "ack");
  return ack;
}

}  // namespace

TEST_CASE("a non-member is refused join, send, history, presence and room info of a private room",
          "[auth]") {
  TempDir dir;
  Node node(dir.path());
  StaffRoom room(node.port());
  Msg(*room.alice, "staff", "for staff eyes");

  for (const json& request : {json{{"type", "join"}, {"channel", "staff"}},
                              json{{"type", "join"}, {"channel", "staff"}, {"last", 10}},
                              json{{"type", "send"}, {"channel", "staff"}, {"text", "let me in"}},
                              json{{"type", "history"}, {"channel", "staff"}},
                              json{{"type", "presence"}, {"channel", "staff"}},
                              json{{"type", "room"}, {"channel", "staff"}}}) {
    INFO(request.dump());
    CHECK(AskCode(*room.carol, request) == "forbidden");
  }
  // Nothing of the room came with or after the refusals, and the refused send is not in it.
  CHECK_FALSE(Mentions(Pending(*room.carol), "staff"));
  CHECK(HistoryTexts(*room.alice, "staff") == std::vector<std::string>{"for staff eyes"});
  json presence = Ask(*room.alice, {{"type", "presence"}, {"channel", "staff"}});
  CHECK(presence["users"] == json::array({"alice", "bob"}));
}

TEST_CASE("a member's message in a private room reaches the members and never a non-member",
          "[auth]") {
  TempDir dir;
  Node node(dir.path());
  StaffRoom room(node.port());
  json ack = Msg(*room.alice, "staff", "the secret plan");
  // Bob, a member, gets it live.
  auto got = room.bob->ReadType("msg");
  REQUIRE(got);
  CHECK((*got)["id"] == ack["id"]);
  CHECK((*got)["text"] == "the secret plan");
  // Carol reads everything up to a later message of the lobby: nothing of staff before it.
  Msg(*room.alice, "lobby", "marker");
  auto lines = ReadThrough(
      *room.carol, [](const json& j) { return j["type"] == "msg" && j["text"] == "marker"; });
  INFO(json(lines).dump());
  CHECK_FALSE(Mentions(lines, "staff"));
  for (const auto& line : lines) CHECK(line.dump().find("secret plan") == std::string::npos);
}

TEST_CASE("a private room's member and topic events reach its members only", "[auth]") {
  TempDir dir;
  Node node(dir.path());
  StaffRoom room(node.port());
  REQUIRE(Ask(*room.alice, {{"type", "invite"}, {"channel", "staff"}, {"user", "dave"}})["type"] ==
          "ok");
  REQUIRE(Ask(*room.alice,
              {{"type", "topic"}, {"channel", "staff"}, {"topic", "q3 layoffs"}})["type"] == "ok");
  auto member = room.bob->ReadType("member");
  REQUIRE(member);
  CHECK((*member)["user"] == "dave");
  auto topic = room.bob->ReadType("topic");
  REQUIRE(topic);
  CHECK((*topic)["topic"] == "q3 layoffs");

  Msg(*room.alice, "lobby", "marker");
  auto lines = ReadThrough(
      *room.carol, [](const json& j) { return j["type"] == "msg" && j["text"] == "marker"; });
  INFO(json(lines).dump());
  CHECK_FALSE(Mentions(lines, "staff"));
  CHECK_FALSE(Mentions(lines, "layoffs"));
}

TEST_CASE("a member removed from a private room is taken out of it and refused from then on",
          "[auth]") {
  TempDir dir;
  Node node(dir.path());
  StaffRoom room(node.port());
  REQUIRE(Ask(*room.alice, {{"type", "remove"}, {"channel", "staff"}, {"user", "bob"}})["type"] ==
          "ok");
  auto left = room.bob->ReadType("left");
  REQUIRE(left);
  CHECK((*left)["channel"] == "staff");
  CHECK((*left)["reason"] == "removed");

  Msg(*room.alice, "staff", "after bob");
  CHECK(AskCode(*room.bob, {{"type", "history"}, {"channel", "staff"}}) == "forbidden");
  CHECK(AskCode(*room.bob, {{"type", "join"}, {"channel", "staff"}}) == "forbidden");
  CHECK_FALSE(Mentions(Pending(*room.bob), "staff"));
}

TEST_CASE("a non-member may not react to, edit or delete a message of a private room", "[auth]") {
  TempDir dir;
  Node node(dir.path());
  StaffRoom room(node.port());
  std::string id = Msg(*room.alice, "staff", "untouchable")["id"];
  CHECK(
      AskCode(*room.carol, {{"type", "react"}, {"channel", "staff"}, {"id", id}, {"emoji", "x"}}) ==
      "forbidden");
  CHECK(AskCode(*room.carol,
                {{"type", "edit"}, {"channel", "staff"}, {"id", id}, {"text", "mine now"}}) ==
        "forbidden");
  CHECK(AskCode(*room.carol, {{"type", "delete"}, {"channel", "staff"}, {"id", id}}) ==
        "forbidden");
  json history = Ask(*room.alice, {{"type", "history"}, {"channel", "staff"}});
  REQUIRE(history["messages"].size() == 1);
  CHECK(history["messages"][0]["text"] == "untouchable");
  CHECK_FALSE(history["messages"][0].contains("reactions"));
  CHECK_FALSE(history["messages"][0].contains("deleted"));
}

TEST_CASE("a third user may not react to or edit a message of someone else's dm", "[auth]") {
  TempDir dir;
  Node node(dir.path());
  auto alice = OpenSession(node.port(), "alice");
  auto carol = OpenSession(node.port(), "carol");
  json ack = Ask(*alice, {{"type", "send"}, {"to", "bob"}, {"text", "just us"}});
  REQUIRE(ack["type"] == "ack");
  std::string id = ack["id"];
  CHECK(AskCode(*carol,
                {{"type", "react"}, {"channel", "dm:alice:bob"}, {"id", id}, {"emoji", "x"}}) ==
        "forbidden");
  CHECK(AskCode(*carol,
                {{"type", "edit"}, {"channel", "dm:alice:bob"}, {"id", id}, {"text", "no"}}) ==
        "forbidden");
  CHECK_FALSE(Mentions(Pending(*carol), "dm:alice:bob"));
  json history = Ask(*alice, {{"type", "history"}, {"channel", "dm:alice:bob"}});
  REQUIRE(history["messages"].size() == 1);
  CHECK(history["messages"][0]["text"] == "just us");
  CHECK_FALSE(history["messages"][0].contains("reactions"));
}

TEST_CASE("a public room made private sends its non-members out", "[auth]") {
  TempDir dir;
  Node node(dir.path());
  auto alice = OpenSession(node.port(), "alice");
  auto carol = OpenSession(node.port(), "carol");
  REQUIRE(Ask(*carol, {{"type", "join"}, {"channel", "den"}})["type"] == "joined");
  json created = Ask(*alice, {{"type", "create"}, {"channel", "den"}, {"private", true}});
  REQUIRE(created["type"] == "ok");
  auto left = carol->ReadType("left");
  REQUIRE(left);
  CHECK((*left)["channel"] == "den");
  CHECK((*left)["reason"] == "private");
  REQUIRE(Ask(*alice, {{"type", "send"}, {"channel", "den"}, {"text", "now private"}})["type"] ==
          "ack");
  CHECK_FALSE(Mentions(Pending(*carol), "den"));
}

TEST_CASE("a room that has messages may not be made private by a user who is not an administrator",
          "[auth]") {
  TempDir dir;
  Node node(dir.path());
  auto alice = OpenSession(node.port(), "alice");
  auto mallory = OpenSession(node.port(), "mallory");
  Msg(*alice, "commons", "everyone's room");
  CHECK(AskCode(*mallory, {{"type", "create"}, {"channel", "commons"}, {"private", true}}) ==
        "conflict");
  // It is still everyone's: alice joins, reads and sends as before.
  CHECK(Ask(*alice, {{"type", "join"}, {"channel", "commons"}})["type"] == "joined");
  CHECK(HistoryTexts(*alice, "commons") == std::vector<std::string>{"everyone's room"});
  json room = Ask(*alice, {{"type", "room"}, {"channel", "commons"}});
  CHECK(room["kind"] == "public");
  CHECK(room.value("owner", json()) != "mallory");
}
