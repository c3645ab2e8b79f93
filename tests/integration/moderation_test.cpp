// Room moderation against a real `chatctl serve`: kicks and bans by room admins, what a plain
// member may not do, and cluster bans through the admin API. Every refusal is checked for its
// code and for having changed nothing.
#include <catch2/catch.hpp>

#include "support/process.h"
#include "support/raw_ws.h"
#include "support/requests.h"

using namespace chatctl::test;
using nlohmann::json;

namespace {

// Room "ops", created by alice (owner), with bob invited as admin and carol and dave as members.
std::unique_ptr<RawWs> OpsRoom(int port, bool is_private = true) {
  auto alice = OpenSession(port, "alice");
  json created = Ask(*alice, {{"type", "create"}, {"channel", "ops"}, {"private", is_private}});
  INFO(created.dump());
  REQUIRE(created["type"] == "ok");
  for (const auto& [user, role] : std::vector<std::pair<std::string, std::string>>{
           {"bob", "admin"}, {"carol", "member"}, {"dave", "member"}}) {
    json ok = Ask(*alice, {{"type", "invite"}, {"channel", "ops"}, {"user", user}, {"role", role}});
    INFO(ok.dump());
    REQUIRE(ok["type"] == "ok");
  }
  return alice;
}

std::unique_ptr<RawWs> Joined(int port, const std::string& user, const std::string& channel) {
  auto ws = OpenSession(port, user);
  json joined = Ask(*ws, {{"type", "join"}, {"channel", channel}});
  INFO(joined.dump());
  REQUIRE(joined["type"] == "joined");
  return ws;
}

// The members of a room with their roles, as its owner sees them.
json Members(RawWs& owner, const std::string& channel) {
  json room = Ask(owner, {{"type", "room"}, {"channel", channel}});
  INFO(room.dump());
  REQUIRE(room["type"] == "room");
  json out = json::object();
  for (const auto& m : room["members"]) out[m["user"].get<std::string>()] = m["role"];
  return out;
}

}  // namespace

TEST_CASE("a room admin kicks a member: the member's joined session is closed with 4403",
          "[moderation]") {
  TempDir dir;
  Node node(dir.path());
  auto alice = OpsRoom(node.port());
  auto bob = OpenSession(node.port(), "bob");
  auto carol_in_ops = Joined(node.port(), "carol", "ops");
  auto carol_elsewhere = Joined(node.port(), "carol", "lobby");

  json ok = Ask(*bob, {{"type", "kick"}, {"channel", "ops"}, {"user", "carol"}});
  INFO(ok.dump());
  CHECK(ok["type"] == "ok");
  CHECK(ok["op"] == "kick");
  CHECK(carol_in_ops->WaitClosed() == 4403);
  CHECK(carol_in_ops->close_reason().find("kicked from channel 'ops'") != std::string::npos);
  // Her session that was not in the room stays, and a kick is no ban: she may come back.
  CHECK(Pending(*carol_elsewhere).empty());
  CHECK(Ask(*carol_elsewhere, {{"type", "join"}, {"channel", "ops"}})["type"] == "joined");
}

TEST_CASE("a plain member may not kick: forbidden, and the target stays", "[moderation]") {
  TempDir dir;
  Node node(dir.path());
  auto alice = OpsRoom(node.port());
  auto carol = Joined(node.port(), "carol", "ops");
  auto dave = OpenSession(node.port(), "dave");
  CHECK(AskCode(*dave, {{"type", "kick"}, {"channel", "ops"}, {"user", "carol"}}) == "forbidden");
  CHECK(AskCode(*dave, {{"type", "ban"}, {"channel", "ops"}, {"user", "carol"}}) == "forbidden");
  // Carol is still there and still served.
  CHECK_FALSE(carol->closed());
  REQUIRE(Ask(*alice, {{"type", "send"}, {"channel", "ops"}, {"text", "still here?"}})["type"] ==
          "ack");
  auto msg = carol->ReadType("msg");
  REQUIRE(msg);
  CHECK((*msg)["text"] == "still here?");
  json bans = json::parse(HttpBody(HttpGet(node.port(), "/api/v1/bans?channel=ops")));
  CHECK(bans["bans"].empty());
}

TEST_CASE("a plain member may not invite: forbidden, and nobody is added", "[moderation]") {
  TempDir dir;
  Node node(dir.path());
  auto alice = OpsRoom(node.port());
  auto dave = OpenSession(node.port(), "dave");
  CHECK(AskCode(*dave, {{"type", "invite"}, {"channel", "ops"}, {"user", "erin"}}) == "forbidden");
  CHECK(AskCode(*dave, {{"type", "remove"}, {"channel", "ops"}, {"user", "carol"}}) == "forbidden");
  CHECK(AskCode(*dave, {{"type", "topic"}, {"channel", "ops"}, {"topic", "mine"}}) == "forbidden");
  CHECK(Members(*alice, "ops") ==
        json{{"alice", "owner"}, {"bob", "admin"}, {"carol", "member"}, {"dave", "member"}});
  auto erin = OpenSession(node.port(), "erin");
  CHECK(AskCode(*erin, {{"type", "join"}, {"channel", "ops"}}) == "forbidden");
}

TEST_CASE("a room admin may not make another admin but the owner may", "[moderation]") {
  TempDir dir;
  Node node(dir.path());
  auto alice = OpsRoom(node.port());
  auto bob = OpenSession(node.port(), "bob");
  CHECK(AskCode(*bob,
                {{"type", "invite"}, {"channel", "ops"}, {"user", "carol"}, {"role", "admin"}}) ==
        "forbidden");
  CHECK(Members(*alice, "ops")["carol"] == "member");
  CHECK(AskCode(*alice,
                {{"type", "invite"}, {"channel", "ops"}, {"user", "carol"}, {"role", "admin"}}) ==
        "");
  CHECK(Members(*alice, "ops")["carol"] == "admin");
}

TEST_CASE("a user banned from a room is closed with 4403 and refused until unbanned",
          "[moderation]") {
  TempDir dir;
  Node node(dir.path());
  auto alice = OpsRoom(node.port(), /*is_private=*/false);
  auto carol = Joined(node.port(), "carol", "ops");
  json ok = Ask(*alice, {{"type", "ban"}, {"channel", "ops"}, {"user", "carol"}});
  INFO(ok.dump());
  REQUIRE(ok["type"] == "ok");
  CHECK(ok["until"] == 0);
  CHECK(carol->WaitClosed() == 4403);

  auto again = OpenSession(node.port(), "carol");
  CHECK(AskCode(*again, {{"type", "join"}, {"channel", "ops"}}) == "forbidden");
  CHECK(AskCode(*again, {{"type", "send"}, {"channel", "ops"}, {"text", "banned words"}}) ==
        "forbidden");
  CHECK(AskCode(*again, {{"type", "history"}, {"channel", "ops"}}) == "forbidden");
  CHECK(AskCode(*again, {{"type", "presence"}, {"channel", "ops"}}) == "forbidden");
  REQUIRE(
      Ask(*alice, {{"type", "send"}, {"channel", "ops"}, {"text", "behind her back"}})["type"] ==
      "ack");
  CHECK_FALSE(Mentions(Pending(*again), "ops"));
  CHECK(HistoryTexts(*alice, "ops") == std::vector<std::string>{"behind her back"});
  json bans = json::parse(HttpBody(HttpGet(node.port(), "/api/v1/bans?channel=ops")));
  CHECK(bans["bans"] == json::array({{{"user", "carol"}, {"until", 0}}}));

  REQUIRE(Ask(*alice, {{"type", "unban"}, {"channel", "ops"}, {"user", "carol"}})["type"] == "ok");
  CHECK(Ask(*again, {{"type", "join"}, {"channel", "ops"}})["type"] == "joined");
  CHECK(Ask(*again, {{"type", "send"}, {"channel", "ops"}, {"text", "back"}})["type"] == "ack");
  CHECK(HistoryTexts(*alice, "ops") == std::vector<std::string>{"behind her back", "back"});
}

TEST_CASE("a cluster ban through the API closes the user's sessions and refuses its token",
          "[moderation][auth]") {
  TempDir dir;
  std::string secret = WriteSecret(dir.path());
  Node node(dir.path() + "/node", {"--secret-file", secret});
  std::string admin = MintToken(secret, "root", {"--admin"});
  std::string carol_token = MintToken(secret, "carol");
  auto carol1 = TokenSession(node.port(), carol_token);
  auto carol2 = TokenSession(node.port(), carol_token);
  REQUIRE(Ask(*carol2, {{"type", "join"}, {"channel", "lobby"}})["type"] == "joined");
  auto bob = TokenSession(node.port(), MintToken(secret, "bob"));

  auto banned = HttpRequest(node.port(), "POST", "/api/v1/ban", R"({"user":"carol"})", admin);
  INFO(banned.body);
  REQUIRE(banned.status == 200);
  CHECK(json::parse(banned.body)["until"] == 0);
  CHECK(carol1->WaitClosed() == 4403);
  CHECK(carol2->WaitClosed() == 4403);
  CHECK(HelloCloseCode(node.port(), {{"type", "hello"}, {"token", carol_token}}) == 4403);
  CHECK(Pending(*bob).empty());  // others are untouched
  auto bans = HttpRequest(node.port(), "GET", "/api/v1/bans", "", admin);
  CHECK(json::parse(bans.body)["bans"] == json::array({{{"user", "carol"}, {"until", 0}}}));

  auto unbanned = HttpRequest(node.port(), "POST", "/api/v1/unban", R"({"user":"carol"})", admin);
  REQUIRE(unbanned.status == 200);
  auto back = TokenSession(node.port(), carol_token);
  CHECK(Ask(*back, {{"type", "join"}, {"channel", "lobby"}})["type"] == "joined");
}

TEST_CASE("a plain user may not ban from the cluster but a cluster admin's token may",
          "[moderation][auth]") {
  TempDir dir;
  std::string secret = WriteSecret(dir.path());
  Node node(dir.path() + "/node", {"--secret-file", secret});
  std::string carol_token = MintToken(secret, "carol");
  auto carol = TokenSession(node.port(), carol_token);
  auto dave = TokenSession(node.port(), MintToken(secret, "dave"));
  CHECK(AskCode(*dave, {{"type", "ban"}, {"user", "carol"}}) == "forbidden");
  CHECK(AskCode(*dave, {{"type", "kick"}, {"user", "carol"}}) == "forbidden");
  CHECK(Pending(*carol).empty());
  CHECK(HelloCloseCode(node.port(), {{"type", "hello"}, {"token", carol_token}}) == 0);

  auto root = TokenSession(node.port(), MintToken(secret, "root", {"--admin"}));
  CHECK(AskCode(*root, {{"type", "ban"}, {"user", "carol"}, {"seconds", 600}}) == "");
  CHECK(carol->WaitClosed() == 4403);
  CHECK(HelloCloseCode(node.port(), {{"type", "hello"}, {"token", carol_token}}) == 4403);
}
