// Edits, deletes and reactions against a real `chatctl serve`: only the author (or a room admin)
// changes a message, the change goes live to the room, and history shows what became of it.
#include <catch2/catch.hpp>

#include "support/process.h"
#include "support/raw_ws.h"
#include "support/requests.h"

using namespace chatctl::test;
using nlohmann::json;

namespace {

std::unique_ptr<RawWs> Joined(int port, const std::string& user, const std::string& channel) {
  auto ws = OpenSession(port, user);
  REQUIRE(Ask(*ws, {{"type", "join"}, {"channel", channel}})["type"] == "joined");
  return ws;
}

std::string Post(RawWs& ws, const std::string& channel, const std::string& text) {
  json ack = Ask(ws, {{"type", "send"}, {"channel", channel}, {"text", text}});
  INFO(ack.dump());
  REQUIRE(ack["type"] == "ack");
  return ack["id"];
}

// The message with `id` as `history` shows it.
json Stored(RawWs& ws, const std::string& channel, const std::string& id) {
  json reply = Ask(ws, {{"type", "history"}, {"channel", channel}, {"limit", 500}});
  for (const auto& m : reply["messages"]) {
    if (m["id"] == id) return m;
  }
  FAIL("message " << id << " not in the history of " << channel << ": " << reply.dump());
  return nullptr;
}

}  // namespace

TEST_CASE("someone other than the author may not edit or delete a message in a public room",
          "[moderation]") {
  TempDir dir;
  Node node(dir.path());
  auto alice = OpenSession(node.port(), "alice");
  auto bob = OpenSession(node.port(), "bob");
  auto carol = Joined(node.port(), "carol", "general");
  std::string id = Post(*alice, "general", "original");
  REQUIRE(carol->ReadType("msg"));

  CHECK(AskCode(*bob, {{"type", "edit"}, {"channel", "general"}, {"id", id}, {"text", "forged"}}) ==
        "forbidden");
  CHECK(AskCode(*bob, {{"type", "delete"}, {"channel", "general"}, {"id", id}}) == "forbidden");
  // No edit or delete went out, and the message is as it was.
  CHECK(Pending(*carol).empty());
  json stored = Stored(*alice, "general", id);
  CHECK(stored["text"] == "original");
  CHECK_FALSE(stored.contains("edited_ts"));
  CHECK_FALSE(stored.contains("deleted"));
}

TEST_CASE("the author's edit goes live to the room and history shows the new text",
          "[moderation]") {
  TempDir dir;
  Node node(dir.path());
  auto alice = OpenSession(node.port(), "alice");
  auto carol = Joined(node.port(), "carol", "general");
  std::string id = Post(*alice, "general", "teh typo");

  json ok = Ask(*alice, {{"type", "edit"}, {"channel", "general"}, {"id", id}, {"text", "fixed"}});
  INFO(ok.dump());
  CHECK(ok["type"] == "ok");
  CHECK(ok["op"] == "edit");
  CHECK(ok["id"] == id);
  auto edit = carol->ReadType("edit");
  REQUIRE(edit);
  CHECK((*edit)["channel"] == "general");
  CHECK((*edit)["id"] == id);
  CHECK((*edit)["text"] == "fixed");
  CHECK((*edit)["by"] == "alice");
  CHECK((*edit)["edited_ts"].is_number_integer());

  json stored = Stored(*carol, "general", id);
  CHECK(stored["text"] == "fixed");
  CHECK(stored["edited_ts"] == (*edit)["edited_ts"]);
}

TEST_CASE("the author's delete goes live to the room and history shows it deleted",
          "[moderation]") {
  TempDir dir;
  Node node(dir.path());
  auto alice = OpenSession(node.port(), "alice");
  auto carol = Joined(node.port(), "carol", "general");
  std::string id = Post(*alice, "general", "regrettable");
  std::string kept = Post(*alice, "general", "fine");

  json ok = Ask(*alice, {{"type", "delete"}, {"channel", "general"}, {"id", id}});
  INFO(ok.dump());
  CHECK(ok["type"] == "ok");
  auto deleted = carol->ReadType("delete");
  REQUIRE(deleted);
  CHECK((*deleted)["id"] == id);
  CHECK((*deleted)["by"] == "alice");

  json stored = Stored(*carol, "general", id);
  CHECK(stored["deleted"] == true);
  CHECK(stored["text"] == "");
  CHECK(Stored(*carol, "general", kept)["text"] == "fine");
  // A deleted message cannot be changed again.
  CHECK(AskCode(*alice, {{"type", "edit"}, {"channel", "general"}, {"id", id}, {"text", "x"}}) ==
        "not_found");
}

TEST_CASE("a room admin may delete a member's message in a created room", "[moderation]") {
  TempDir dir;
  Node node(dir.path());
  auto alice = OpenSession(node.port(), "alice");
  REQUIRE(Ask(*alice, {{"type", "create"}, {"channel", "club"}})["type"] == "ok");
  auto bob = OpenSession(node.port(), "bob");
  std::string id = Post(*bob, "club", "spam");
  CHECK(AskCode(*alice, {{"type", "delete"}, {"channel", "club"}, {"id", id}}) == "");
  CHECK(Stored(*bob, "club", id)["deleted"] == true);
}

TEST_CASE("reactions go live and history aggregates them per emoji", "[moderation]") {
  TempDir dir;
  Node node(dir.path());
  auto alice = Joined(node.port(), "alice", "general");
  auto bob = OpenSession(node.port(), "bob");
  auto carol = OpenSession(node.port(), "carol");
  std::string id = Post(*alice, "general", "ship it?");
  REQUIRE(alice->ReadType("msg"));

  const std::string thumbs = "\xf0\x9f\x91\x8d", party = "\xf0\x9f\x8e\x89";
  CHECK(AskCode(*bob, {{"type", "react"}, {"channel", "general"}, {"id", id}, {"emoji", thumbs}}) ==
        "");
  auto live = alice->ReadType("reaction");
  REQUIRE(live);
  CHECK((*live)["user"] == "bob");
  CHECK((*live)["emoji"] == thumbs);
  CHECK((*live)["on"] == true);
  CHECK((*live)["reactions"] == json{{thumbs, {"bob"}}});

  CHECK(AskCode(*carol,
                {{"type", "react"}, {"channel", "general"}, {"id", id}, {"emoji", thumbs}}) == "");
  CHECK(AskCode(*bob, {{"type", "react"}, {"channel", "general"}, {"id", id}, {"emoji", party}}) ==
        "");
  CHECK(AskCode(*bob,
                {{"type", "unreact"}, {"channel", "general"}, {"id", id}, {"emoji", party}}) == "");
  CHECK(AskCode(*bob, {{"type", "react"}, {"channel", "general"}, {"id", id}, {"emoji", "a b"}}) ==
        "bad_request");

  json stored = Stored(*alice, "general", id);
  CHECK(stored["reactions"] == json{{thumbs, {"bob", "carol"}}});
  CHECK(stored["text"] == "ship it?");
}
