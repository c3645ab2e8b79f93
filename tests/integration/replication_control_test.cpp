// Accounts, bans and rooms made on one node of a three-node mesh hold on the others: real
// `chatctl serve` processes on loopback in open mode, each change made through one node's admin
// API and checked, with a bounded poll, on another.
#include <catch2/catch.hpp>

#include <signal.h>

#include <future>
#include <memory>

#include "support/process.h"
#include "support/raw_ws.h"
#include "support/requests.h"

using namespace chatctl::test;
using nlohmann::json;

namespace {

std::vector<std::string> MeshArgs(int node_id, const std::vector<std::string>& peers = {}) {
  std::vector<std::string> args{"--node-id", std::to_string(node_id), "--mesh-bind",
                                "tcp://127.0.0.1:0"};
  for (const auto& p : peers) args.insert(args.end(), {"--peer", p});
  return args;
}

// Three meshed nodes, each ready (a peer up and caught up) before the test begins.
struct Mesh {
  explicit Mesh(const TempDir& dir)
      : n1(dir.path() + "/n1", MeshArgs(1)),
        n2(dir.path() + "/n2", MeshArgs(2, {n1.mesh_pub()})),
        n3(dir.path() + "/n3", MeshArgs(3, {n1.mesh_pub()})) {
    for (Node* n : {&n1, &n2, &n3}) {
      INFO("node on port " << n->port() << " not ready; log:\n" << n->log());
      REQUIRE(Eventually(
          [&] { return HttpGet(n->port(), "/readyz").find(" 200 ") != std::string::npos; }));
    }
  }
  Node n1, n2, n3;
};

HttpResult Api(const Node& node, const std::string& method, const std::string& path,
               const json& body = nullptr) {
  auto r = HttpRequest(node.port(), method, path, body.is_null() ? "" : body.dump());
  INFO(method << " " << path << " -> " << r.status << " " << r.body);
  REQUIRE(r.status == 200);
  return r;
}

json Room(const Node& node, const std::string& name) {
  auto r = HttpRequest(node.port(), "GET", "/api/v1/channels/" + name);
  return r.status == 200 ? json::parse(r.body) : json();
}

}  // namespace

TEST_CASE("a user created on node 2 logs in with its password on node 1", "[mesh][auth]") {
  TempDir dir;
  Mesh mesh(dir);
  Api(mesh.n2, "POST", "/api/v1/users", {{"name", "alice"}, {"password", "correct horse"}});
  REQUIRE(Eventually(
      [&] { return HttpRequest(mesh.n1.port(), "GET", "/api/v1/users/alice").status == 200; }));
  auto ws = SayHello(mesh.n1.port(),
                     {{"type", "hello"}, {"user", "alice"}, {"password", "correct horse"}});
  auto welcome = ws->ReadType("welcome", 10s);
  INFO("closed " << ws->close_code() << " " << ws->close_reason());
  REQUIRE(welcome);
  CHECK((*welcome)["user"] == "alice");
  CHECK((*welcome)["node"] == "n1");
  // And a wrong password is refused there too.
  CHECK(HelloCloseCode(mesh.n1.port(),
                       {{"type", "hello"}, {"user", "alice"}, {"password", "battery staple"}}) ==
        4401);
}

TEST_CASE("a cluster ban issued on node 1 closes the user's session on node 3 and refuses it there",
          "[mesh][moderation]") {
  TempDir dir;
  Mesh mesh(dir);
  auto carol = OpenSession(mesh.n3.port(), "carol");
  auto bob = OpenSession(mesh.n3.port(), "bob");
  Api(mesh.n1, "POST", "/api/v1/ban", {{"user", "carol"}});
  CHECK(carol->WaitClosed(10s) == 4403);
  CHECK(HelloCloseCode(mesh.n3.port(), {{"type", "hello"}, {"user", "carol"}}) == 4403);
  // Node 2 heard of it too (it may hear a moment later than node 3).
  CHECK(Eventually([&] {
    return HelloCloseCode(mesh.n2.port(), {{"type", "hello"}, {"user", "carol"}}) == 4403;
  }));
  CHECK(Pending(*bob).empty());

  Api(mesh.n2, "POST", "/api/v1/unban", {{"user", "carol"}});
  CHECK(Eventually([&] {
    return HelloCloseCode(mesh.n3.port(), {{"type", "hello"}, {"user", "carol"}}) == 0;
  }));
}

TEST_CASE("a room ban made on node 1 is enforced on node 3", "[mesh][moderation]") {
  TempDir dir;
  Mesh mesh(dir);
  auto dave = OpenSession(mesh.n3.port(), "dave");
  REQUIRE(Ask(*dave, {{"type", "join"}, {"channel", "hall"}})["type"] == "joined");
  Api(mesh.n1, "POST", "/api/v1/ban", {{"user", "dave"}, {"channel", "hall"}});
  CHECK(dave->WaitClosed(10s) == 4403);

  auto again = OpenSession(mesh.n3.port(), "dave");
  CHECK(AskCode(*again, {{"type", "join"}, {"channel", "hall"}}) == "forbidden");
  CHECK(AskCode(*again, {{"type", "send"}, {"channel", "hall"}, {"text", "sneaking"}}) ==
        "forbidden");
  auto erin = OpenSession(mesh.n1.port(), "erin");
  REQUIRE(Ask(*erin, {{"type", "send"}, {"channel", "hall"}, {"text", "meanwhile"}})["type"] ==
          "ack");
  CHECK(Eventually(
      [&] { return HistoryTexts(*erin, "hall") == std::vector<std::string>{"meanwhile"}; }));
  CHECK_FALSE(Mentions(Pending(*again), "hall"));
}

TEST_CASE("a private room and its members made on node 1 are enforced on node 3", "[mesh][auth]") {
  TempDir dir;
  Mesh mesh(dir);
  // Carol sits in "staff" on node 3 while it is still nobody's public room.
  auto carol = OpenSession(mesh.n3.port(), "carol");
  REQUIRE(Ask(*carol, {{"type", "join"}, {"channel", "staff"}})["type"] == "joined");

  Api(mesh.n1, "POST", "/api/v1/channels",
      {{"name", "staff"}, {"private", true}, {"owner", "alice"}});
  Api(mesh.n1, "POST", "/api/v1/channels/staff/members", {{"user", "bob"}});
  auto left = carol->ReadType("left", 10s);
  REQUIRE(left);
  CHECK((*left)["channel"] == "staff");
  CHECK((*left)["reason"] == "private");

  // Bob's membership arrives too; then he may join on node 3 and carol may not.
  auto bob = OpenSession(mesh.n3.port(), "bob");
  REQUIRE(Eventually([&] {
    json room = Ask(*bob, {{"type", "room"}, {"channel", "staff"}});
    return room["type"] == "room" && room["role"] == "member";
  }));
  CHECK(Ask(*bob, {{"type", "join"}, {"channel", "staff"}})["type"] == "joined");
  CHECK(AskCode(*carol, {{"type", "join"}, {"channel", "staff"}}) == "forbidden");
  CHECK(AskCode(*carol, {{"type", "history"}, {"channel", "staff"}}) == "forbidden");

  auto alice = OpenSession(mesh.n1.port(), "alice");
  REQUIRE(Ask(*alice, {{"type", "send"}, {"channel", "staff"}, {"text", "members only"}})["type"] ==
          "ack");
  auto got = bob->ReadType("msg", 10s);
  REQUIRE(got);
  CHECK((*got)["text"] == "members only");
  CHECK_FALSE(Mentions(Pending(*carol), "staff"));
}

TEST_CASE("two nodes creating one room at once converge on the same kind and owner",
          "[mesh][moderation]") {
  TempDir dir;
  Mesh mesh(dir);
  auto create = [](const Node& node, bool is_private, const std::string& owner) {
    json body = {{"name", "race"}, {"private", is_private}, {"owner", owner}};
    return HttpRequest(node.port(), "POST", "/api/v1/channels", body.dump());
  };
  auto first = std::async(std::launch::async, [&] { return create(mesh.n1, true, "one"); });
  auto second = std::async(std::launch::async, [&] { return create(mesh.n2, false, "two"); });
  HttpResult r1 = first.get(), r2 = second.get();
  INFO("node 1: " << r1.status << " " << r1.body << "; node 2: " << r2.status << " " << r2.body);
  CHECK((r1.status == 200 || r1.status == 409));
  CHECK((r2.status == 200 || r2.status == 409));
  CHECK((r1.status == 200 || r2.status == 200));

  json room1, room2, room3;
  bool converged = Eventually([&] {
    room1 = Room(mesh.n1, "race");
    room2 = Room(mesh.n2, "race");
    room3 = Room(mesh.n3, "race");
    return room1.is_object() && room2.is_object() && room3.is_object() &&
           room1["kind"] == room2["kind"] && room1["owner"] == room2["owner"] &&
           room1["kind"] == room3["kind"] && room1["owner"] == room3["owner"];
  });
  INFO(room1.dump() << "\n" << room2.dump() << "\n" << room3.dump());
  CHECK(converged);
  // The one that stands is one of the two, whole: private with owner one, or public with two.
  bool one = room1["kind"] == "private" && room1["owner"] == "one";
  bool two = room1["kind"] == "public" && room1["owner"] == "two";
  CHECK((one || two));
  // The winner's request was answered 200.
  CHECK((one ? r1.status : r2.status) == 200);
}

TEST_CASE("two nodes that each created one room apart agree on the first create once they meet",
          "[mesh][moderation]") {
  TempDir dir;
  // Two nodes not yet meshed with each other: each answers its own create 200.
  Node n1(dir.path() + "/n1", MeshArgs(1));
  auto n2 = std::make_unique<Node>(dir.path() + "/n2", MeshArgs(2));
  auto r1 = HttpRequest(n1.port(), "POST", "/api/v1/channels",
                        R"({"name":"split","private":true,"owner":"one"})");
  REQUIRE(r1.status == 200);
  auto r2 = HttpRequest(n2->port(), "POST", "/api/v1/channels",
                        R"({"name":"split","private":false,"owner":"two"})");
  REQUIRE(r2.status == 200);
  REQUIRE(Room(*n2, "split")["owner"] == "two");
  auto carol = OpenSession(n2->port(), "carol");
  REQUIRE(Ask(*carol, {{"type", "join"}, {"channel", "split"}})["type"] == "joined");
  carol.reset();

  // Node 2 comes back meshed with node 1: node 1's create has the smaller id and stands on both,
  // though node 2 folded its own first.
  n2->Kill(SIGTERM);
  REQUIRE(n2->Wait(15s));
  n2 = std::make_unique<Node>(dir.path() + "/n2", MeshArgs(2, {n1.mesh_pub()}));
  json room1, room2;
  bool converged = Eventually([&] {
    room1 = Room(n1, "split");
    room2 = Room(*n2, "split");
    return room2.is_object() && room2["owner"] == "one" && room1.is_object();
  });
  INFO(room1.dump() << "\n" << room2.dump());
  CHECK(converged);
  CHECK(room1["kind"] == "private");
  CHECK(room1["owner"] == "one");
  CHECK(room2["kind"] == "private");
  auto carol2 = OpenSession(n2->port(), "carol");
  CHECK(AskCode(*carol2, {{"type", "join"}, {"channel", "split"}}) == "forbidden");
}
