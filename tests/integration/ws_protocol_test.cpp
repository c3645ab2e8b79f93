// The wire protocol against a real `chatctl serve` on loopback: every request, every error code
// and close code PROTOCOL.md names, and the node still serving afterwards.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "support/process.h"
#include "support/raw_ws.h"

using namespace chatctl::test;
using nlohmann::json;

namespace {

// A session of `user` that has joined `channel` (with no history).
std::unique_ptr<RawWs> JoinedSession(int port, const std::string& user,
                                     const std::string& channel) {
  auto ws = OpenSession(port, user);
  ws->SendJson({{"type", "join"}, {"ref", 1}, {"channel", channel}});
  REQUIRE(ws->ReadType("joined"));
  return ws;
}

json Send(RawWs& ws, const std::string& channel, const std::string& text, int ref) {
  ws.SendJson({{"type", "send"}, {"ref", ref}, {"channel", channel}, {"text", text}});
  auto ack = ws.ReadType("ack");
  REQUIRE(ack);
  return *ack;
}

// The node still answers a ping on a fresh connection.
// `hello` is {"user": "probe"} in open mode; pass a token's hello for a node with a secret.
void RequireStillServing(int port, const json& hello = {{"type", "hello"}, {"user", "probe"}}) {
  auto ws = std::make_unique<RawWs>(port);
  ws->SendJson(hello);
  REQUIRE(ws->ReadType("welcome"));
  ws->SendJson({{"type", "ping"}, {"ref", "still-there"}});
  auto pong = ws->ReadType("pong");
  REQUIRE(pong);
  CHECK((*pong)["ref"] == "still-there");
}

}  // namespace

TEST_CASE("a client says hello, joins, sends, and gets its ack and its own message", "[protocol]") {
  TempDir dir;
  Node node(dir.path());
  auto alice = OpenSession(node.port(), "alice");
  alice->SendJson({{"type", "join"}, {"ref", 1}, {"channel", "general"}});
  auto joined = alice->ReadType("joined");
  REQUIRE(joined);
  CHECK((*joined)["ref"] == 1);
  CHECK((*joined)["messages"].empty());

  auto ack = Send(*alice, "general", "hello", 2);
  CHECK(ack["ref"] == 2);
  CHECK(ack["channel"] == "general");
  REQUIRE(ack["id"].is_string());
  CHECK(ack["ts"].is_number_integer());
  auto msg = alice->ReadType("msg");
  REQUIRE(msg);
  CHECK((*msg)["id"] == ack["id"]);
  CHECK((*msg)["from"] == "alice");
  CHECK((*msg)["text"] == "hello");
  CHECK((*msg)["ts"] == ack["ts"]);
}

TEST_CASE("the welcome names the user, the node and the protocol version", "[protocol]") {
  TempDir dir;
  Node node(dir.path(), {"--node-id", "7"});
  RawWs ws(node.port());
  CHECK(ws.subprotocol() == "chatctl.v1");
  ws.SendJson({{"type", "hello"}, {"user", "alice"}});
  auto welcome = ws.ReadType("welcome");
  REQUIRE(welcome);
  CHECK((*welcome)["user"] == "alice");
  CHECK((*welcome)["node"] == "n7");
  CHECK((*welcome)["protocol"] == 1);
  CHECK((*welcome)["server_time"].is_number_integer());
}

TEST_CASE("a client that asks for no subprotocol gets version 1", "[protocol]") {
  TempDir dir;
  Node node(dir.path());
  RawWs ws(node.port(), "/ws", false);
  ws.SendJson({{"type", "hello"}, {"user", "bob"}});
  REQUIRE(ws.ReadType("welcome"));
}

TEST_CASE("requests before hello are refused as unauthorized", "[protocol][auth]") {
  TempDir dir;
  Node node(dir.path());
  RawWs ws(node.port());
  ws.SendJson({{"type", "join"}, {"ref", "j"}, {"channel", "general"}});
  auto err = ws.ReadType("error");
  REQUIRE(err);
  CHECK((*err)["code"] == "unauthorized");
  CHECK((*err)["ref"] == "j");
  ws.SendJson({{"type", "hello"}, {"user", "alice"}});
  CHECK(ws.ReadType("welcome"));
}

TEST_CASE("a client that never says hello is closed with 4401", "[protocol][auth]") {
  TempDir dir;
  Node node(dir.path(), {"--hello-timeout", "1"});
  RawWs ws(node.port());
  auto code = ws.WaitClosed(5s);
  REQUIRE(code);
  CHECK(*code == 4401);
}

TEST_CASE("tokens: a valid one is welcomed, a forged or expired one is closed with 4401",
          "[protocol][auth]") {
  TempDir dir;
  std::string secret = dir.path() + "/secret";
  std::ofstream(secret) << "0123456789abcdef0123456789abcdef\n";
  Node node(dir.path() + "/node", {"--secret-file", secret});

  auto minted = RunChatctl({"admin", "token", "--user", "alice", "--secret-file", secret});
  REQUIRE(minted.exit_code == 0);
  std::string token = minted.out.substr(0, minted.out.find('\n'));
  {
    RawWs ws(node.port());
    ws.SendJson({{"type", "hello"}, {"token", token}});
    auto welcome = ws.ReadType("welcome");
    REQUIRE(welcome);
    CHECK((*welcome)["user"] == "alice");
  }
  {
    std::string forged = token;
    forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'B' : 'A';
    RawWs ws(node.port());
    ws.SendJson({{"type", "hello"}, {"token", forged}});
    CHECK(ws.WaitClosed() == 4401);
  }
  {
    std::string other = dir.path() + "/other";
    std::ofstream(other) << "another-secret-another-secret\n";
    auto wrong = RunChatctl({"admin", "token", "--user", "alice", "--secret-file", other});
    RawWs ws(node.port());
    ws.SendJson({{"type", "hello"}, {"token", wrong.out.substr(0, wrong.out.find('\n'))}});
    CHECK(ws.WaitClosed() == 4401);
  }
  {
    auto expired =
        RunChatctl({"admin", "token", "--user", "alice", "--ttl", "1s", "--secret-file", secret});
    REQUIRE(expired.exit_code == 0);
    sleep(2);
    RawWs ws(node.port());
    ws.SendJson({{"type", "hello"}, {"token", expired.out.substr(0, expired.out.find('\n'))}});
    CHECK(ws.WaitClosed() == 4401);
  }
  {
    // A node with a secret is not in open mode: a bare user name is refused.
    RawWs ws(node.port());
    ws.SendJson({{"type", "hello"}, {"user", "mallory"}});
    CHECK(ws.WaitClosed() == 4401);
  }
  RequireStillServing(node.port(), {{"type", "hello"}, {"token", token}});
}

TEST_CASE("a node on a non-loopback address with no secret refuses to start without --open",
          "[protocol][auth]") {
  TempDir dir;
  auto run = RunChatctl({"serve", "--listen", "0.0.0.0:0", "--data", dir.path()}, "", 10s);
  CHECK(run.exit_code == 1);
  CHECK(run.err.find("--open") != std::string::npos);
}

TEST_CASE("malformed, non-object and unknown requests get bad_request and the node serves on",
          "[protocol][errors]") {
  TempDir dir;
  Node node(dir.path());
  auto ws = OpenSession(node.port(), "alice");
  ws->SendText("{not json");
  auto e1 = ws->ReadType("error");
  REQUIRE(e1);
  CHECK((*e1)["code"] == "bad_request");
  CHECK_FALSE(e1->contains("ref"));

  ws->SendText("[1,2,3]");
  auto e2 = ws->ReadType("error");
  REQUIRE(e2);
  CHECK((*e2)["code"] == "bad_request");

  ws->SendJson({{"type", "dance"}, {"ref", 9}});
  auto e3 = ws->ReadType("error");
  REQUIRE(e3);
  CHECK((*e3)["code"] == "bad_request");
  CHECK((*e3)["ref"] == 9);

  ws->SendJson({{"type", "join"}, {"ref", 10}, {"channel", "Not A Room!"}});
  auto e4 = ws->ReadType("error");
  REQUIRE(e4);
  CHECK((*e4)["code"] == "bad_request");
  CHECK((*e4)["ref"] == 10);

  ws->SendJson({{"type", "send"}, {"ref", 11}, {"channel", "general"}, {"text", ""}});
  auto e5 = ws->ReadType("error");
  REQUIRE(e5);
  CHECK((*e5)["code"] == "bad_request");

  ws->SendJson(
      {{"type", "send"}, {"ref", 12}, {"channel", "general"}, {"text", std::string(4097, 'x')}});
  auto e6 = ws->ReadType("error");
  REQUIRE(e6);
  CHECK((*e6)["code"] == "too_large");

  ws->SendJson({{"type", "ping"}, {"ref", "after"}});
  auto pong = ws->ReadType("pong");
  REQUIRE(pong);
  CHECK((*pong)["ref"] == "after");
}

TEST_CASE("a binary frame gets an error, not a close", "[protocol][errors]") {
  TempDir dir;
  Node node(dir.path());
  auto ws = OpenSession(node.port(), "alice");
  ws->SendFrame(RawWs::kBinary, std::string("\x01\x02\x03", 3));
  auto err = ws->ReadType("error");
  REQUIRE(err);
  CHECK((*err)["code"] == "bad_request");
  ws->SendJson({{"type", "ping"}, {"ref", 1}});
  CHECK(ws->ReadType("pong"));
}

TEST_CASE("invalid UTF-8 closes the connection with 1007 and the node serves on",
          "[protocol][errors]") {
  TempDir dir;
  Node node(dir.path());
  auto ws = OpenSession(node.port(), "alice");
  ws->SendText("{\"type\":\"send\",\"channel\":\"general\",\"text\":\"\xc3\x28\"}");
  CHECK(ws->WaitClosed() == 1007);
  RequireStillServing(node.port());
}

TEST_CASE("a frame over the limit closes the connection with 1009 and the node serves on",
          "[protocol][errors]") {
  TempDir dir;
  Node node(dir.path(), {"--max-frame-bytes", "4096"});
  auto ws = OpenSession(node.port(), "alice");
  ws->SendText(std::string(5000, ' '));
  CHECK(ws->WaitClosed() == 1009);

  // The same limit holds across fragments of one message.
  auto ws2 = OpenSession(node.port(), "alice");
  ws2->SendFrame(RawWs::kText, std::string(3000, ' '), false);
  ws2->SendFrame(RawWs::kContinuation, std::string(3000, ' '), true);
  CHECK(ws2->WaitClosed() == 1009);
  RequireStillServing(node.port());
}

TEST_CASE("a frame may batch several requests, and the replies echo each ref", "[protocol]") {
  TempDir dir;
  Node node(dir.path());
  auto ws = OpenSession(node.port(), "alice");
  ws->SendText(R"({"type":"ping","ref":"a"})"
               "\n"
               R"({"type":"ping","ref":9007199254740992})"
               "\n"
               R"({"type":"ping"})");
  auto p1 = ws->ReadType("pong");
  auto p2 = ws->ReadType("pong");
  auto p3 = ws->ReadType("pong");
  REQUIRE(p1);
  REQUIRE(p2);
  REQUIRE(p3);
  CHECK((*p1)["ref"] == "a");
  CHECK((*p2)["ref"] == 9007199254740992LL);
  CHECK_FALSE(p3->contains("ref"));
}

TEST_CASE("join with last and with since replays history without gap or overlap",
          "[protocol][history]") {
  TempDir dir;
  Node node(dir.path(), {"--since-replay-max", "5"});
  auto alice = OpenSession(node.port(), "alice");
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) {
    ids.push_back(Send(*alice, "general", "m" + std::to_string(i), i)["id"]);
  }
  auto bob = OpenSession(node.port(), "bob");
  bob->SendJson({{"type", "join"}, {"ref", 1}, {"channel", "general"}, {"last", 3}});
  auto joined = bob->ReadType("joined");
  REQUIRE(joined);
  REQUIRE((*joined)["messages"].size() == 3);
  CHECK((*joined)["messages"][0]["text"] == "m9");
  CHECK((*joined)["messages"][2]["text"] == "m11");

  auto carol = OpenSession(node.port(), "carol");
  carol->SendJson({{"type", "join"}, {"ref", 2}, {"channel", "general"}, {"since", ids[4]}});
  auto replay = carol->ReadType("joined");
  REQUIRE(replay);
  REQUIRE((*replay)["messages"].size() == 5);
  CHECK((*replay)["messages"][0]["id"] == ids[5]);
  CHECK((*replay)["truncated"] == true);

  // Live messages follow the replay.
  Send(*alice, "general", "live", 99);
  auto live = bob->ReadType("msg");
  REQUIRE(live);
  CHECK((*live)["text"] == "live");
}

TEST_CASE("history pages backwards oldest first until there is no more", "[protocol][history]") {
  TempDir dir;
  Node node(dir.path());
  auto alice = OpenSession(node.port(), "alice");
  for (int i = 0; i < 25; ++i) Send(*alice, "paged", "m" + std::to_string(i), i);
  std::vector<std::string> seen;
  json before = nullptr;
  for (int page = 0; page < 10; ++page) {
    json req = {{"type", "history"}, {"ref", page}, {"channel", "paged"}, {"limit", 10}};
    if (!before.is_null()) req["before"] = before;
    alice->SendJson(req);
    auto reply = alice->ReadType("history");
    REQUIRE(reply);
    auto& msgs = (*reply)["messages"];
    std::vector<std::string> texts;
    for (auto& m : msgs) texts.push_back(m["text"]);
    seen.insert(seen.begin(), texts.begin(), texts.end());
    if (!(*reply)["more"].get<bool>()) break;
    before = msgs[0]["id"];
  }
  REQUIRE(seen.size() == 25);
  for (int i = 0; i < 25; ++i) CHECK(seen[i] == "m" + std::to_string(i));

  alice->SendJson({{"type", "history"}, {"ref", 1}, {"channel", "paged"}, {"limit", 501}});
  auto err = alice->ReadType("error");
  REQUIRE(err);
  CHECK((*err)["code"] == "bad_request");
}

TEST_CASE("direct messages reach both users without joining and nobody else", "[protocol][dm]") {
  TempDir dir;
  Node node(dir.path());
  auto alice = OpenSession(node.port(), "alice");
  auto bob = OpenSession(node.port(), "bob");
  auto carol = OpenSession(node.port(), "carol");

  alice->SendJson({{"type", "send"}, {"ref", 1}, {"to", "bob"}, {"text", "psst"}});
  auto ack = alice->ReadType("ack");
  REQUIRE(ack);
  CHECK((*ack)["channel"] == "dm:alice:bob");
  auto got = bob->ReadType("msg");
  REQUIRE(got);
  CHECK((*got)["text"] == "psst");
  CHECK((*got)["channel"] == "dm:alice:bob");
  auto own = alice->ReadType("msg");
  REQUIRE(own);

  for (const json& req :
       {json{{"type", "join"}, {"ref", 1}, {"channel", "dm:alice:bob"}},
        json{{"type", "history"}, {"ref", 2}, {"channel", "dm:alice:bob"}},
        json{{"type", "send"}, {"ref", 3}, {"channel", "dm:alice:bob"}, {"text", "hi"}},
        json{{"type", "presence"}, {"ref", 4}, {"channel", "dm:alice:bob"}}}) {
    carol->SendJson(req);
    auto err = carol->ReadType("error");
    REQUIRE(err);
    CHECK((*err)["code"] == "forbidden");
  }
  // Carol saw no message at all.
  carol->SendJson({{"type", "ping"}, {"ref", "end"}});
  auto next = carol->ReadJson();
  REQUIRE(next);
  CHECK((*next)["type"] == "pong");

  // Bob reads the DM's history.
  bob->SendJson({{"type", "history"}, {"ref", 5}, {"channel", "dm:alice:bob"}});
  auto hist = bob->ReadType("history");
  REQUIRE(hist);
  REQUIRE((*hist)["messages"].size() == 1);
  CHECK((*hist)["messages"][0]["text"] == "psst");
}

TEST_CASE("presence lists the users of a room and announces joins and leaves",
          "[protocol][presence]") {
  TempDir dir;
  Node node(dir.path());
  auto alice = JoinedSession(node.port(), "alice", "lobby");
  {
    auto bob = JoinedSession(node.port(), "bob", "lobby");
    auto event = alice->ReadType("presence");
    REQUIRE(event);
    CHECK((*event)["user"] == "bob");
    CHECK((*event)["state"] == "join");

    alice->SendJson({{"type", "presence"}, {"ref", 2}, {"channel", "lobby"}});
    auto list = alice->ReadType("presence");
    REQUIRE(list);
    CHECK((*list)["users"] == json::array({"alice", "bob"}));
  }
  auto gone = alice->ReadType("presence");
  REQUIRE(gone);
  CHECK((*gone)["user"] == "bob");
  CHECK((*gone)["state"] == "leave");

  alice->SendJson({{"type", "leave"}, {"ref", 3}, {"channel", "lobby"}});
  auto left = alice->ReadType("left");
  REQUIRE(left);
  CHECK((*left)["ref"] == 3);
  alice->SendJson({{"type", "leave"}, {"ref", 4}, {"channel", "lobby"}});
  auto err = alice->ReadType("error");
  REQUIRE(err);
  CHECK((*err)["code"] == "not_found");
}

TEST_CASE("a session over its join limit gets an error", "[protocol][limits]") {
  TempDir dir;
  Node node(dir.path(), {"--max-joins", "2"});
  auto ws = OpenSession(node.port(), "alice");
  for (const char* room : {"a", "b"}) {
    ws->SendJson({{"type", "join"}, {"channel", room}});
    REQUIRE(ws->ReadType("joined"));
  }
  ws->SendJson({{"type", "join"}, {"ref", 3}, {"channel", "c"}});
  auto err = ws->ReadType("error");
  REQUIRE(err);
  CHECK((*err)["code"] == "too_large");
}

TEST_CASE("a flood is answered rate_limited, then closed with 4429", "[protocol][limits]") {
  TempDir dir;
  Node node(dir.path(), {"--rate-limit", "5", "--rate-burst", "5"});
  auto ws = OpenSession(node.port(), "alice");
  std::string frame;
  for (int i = 0; i < 40; ++i) {
    if (!frame.empty()) frame += '\n';
    frame += json{{"type", "send"}, {"ref", i}, {"channel", "flood"}, {"text", "x"}}.dump();
  }
  ws->SendText(frame);
  auto err = ws->ReadType("error");
  REQUIRE(err);
  CHECK((*err)["code"] == "rate_limited");
  CHECK(ws->WaitClosed(10s) == 4429);
  RequireStillServing(node.port());
}

TEST_CASE("a client that stops reading is closed with 4408 and the node's memory stays bounded",
          "[protocol][limits]") {
  TempDir dir;
  Node node(dir.path(), {"--max-outbound-bytes", "262144", "--rate-limit", "0"});
  auto reader = std::make_unique<RawWs>(node.port(), "/ws", true, 4096);
  reader->SendJson({{"type", "hello"}, {"user", "sleepy"}});
  reader->SendJson({{"type", "join"}, {"channel", "firehose"}});
  // Give the join time to land, then never read again.
  sleep(1);
  long rss_before = node.RssKiB();

  auto writer = OpenSession(node.port(), "firehose");
  // 10 MB: more than the kernel's socket buffers on loopback (tcp_wmem autotunes up to 4 MB)
  // can hide, so the node's own outbound queue has to pass its limit.
  std::string text(4000, 'y');
  int acked = 0;
  for (int batch = 0; batch < 250; ++batch) {  // 10 per frame keeps each under 64 KiB
    std::string frame;
    for (int i = 0; i < 10; ++i) {
      if (!frame.empty()) frame += '\n';
      frame += json{{"type", "send"}, {"channel", "firehose"}, {"text", text}}.dump();
    }
    writer->SendText(frame);
    for (int i = 0; i < 10; ++i) {
      if (writer->ReadType("ack", 10s)) ++acked;
    }
  }
  CHECK(acked == 2500);
  CHECK(reader->WaitClosed(10s) == 4408);
  long rss_after = node.RssKiB();
  INFO("rss before " << rss_before << " KiB, after " << rss_after << " KiB");
#if !defined(__SANITIZE_ADDRESS__)
  // (Under ASan the node keeps up to 256 MB of freed memory resident in its quarantine.)
  CHECK(rss_after - rss_before < 32 * 1024);
#endif
  RequireStillServing(node.port());
}

TEST_CASE("every acked message survives SIGKILL of the node", "[protocol][durability]") {
  TempDir dir;
  Node node(dir.path());
  std::set<std::string> acked;
  {
    auto ws = OpenSession(node.port(), "alice");
    std::string frame;
    for (int i = 0; i < 300; ++i) {
      if (!frame.empty()) frame += '\n';
      frame += json{{"type", "send"}, {"ref", i}, {"channel", "durable"}, {"text", "m"}}.dump();
    }
    ws->SendText(frame);
    for (int i = 0; i < 300; ++i) {
      auto ack = ws->ReadType("ack", 10s);
      REQUIRE(ack);
      acked.insert((*ack)["id"].get<std::string>());
    }
    node.Kill(SIGKILL);  // right after the last ack
  }
  node.Restart();
  auto ws = OpenSession(node.port(), "alice");
  ws->SendJson({{"type", "history"}, {"ref", 1}, {"channel", "durable"}, {"limit", 500}});
  auto hist = ws->ReadType("history");
  REQUIRE(hist);
  std::set<std::string> stored;
  for (auto& m : (*hist)["messages"]) stored.insert(m["id"].get<std::string>());
  CHECK(stored == acked);

  // Ids keep growing after the restart.
  auto ack = Send(*ws, "durable", "after restart", 1);
  CHECK(std::stoull(ack["id"].get<std::string>()) > std::stoull(*acked.rbegin()));
}

TEST_CASE("SIGTERM closes clients with 1001 and the node exits 0", "[protocol][lifecycle]") {
  TempDir dir;
  Node node(dir.path());
  auto ws = OpenSession(node.port(), "alice");
  node.Kill(SIGTERM);
  CHECK(ws->WaitClosed(10s) == 1001);
  CHECK(node.Wait(15s) == 0);
}

TEST_CASE("the node answers /healthz and /metrics on its port", "[protocol][http]") {
  TempDir dir;
  Node node(dir.path());
  std::string health = HttpGet(node.port(), "/healthz");
  CHECK(health.find("200") != std::string::npos);
  CHECK(health.find("ok") != std::string::npos);
  std::string metrics = HttpGet(node.port(), "/metrics");
  CHECK(metrics.find("chatctl_sessions") != std::string::npos);
  CHECK(HttpGet(node.port(), "/nope").find("404") != std::string::npos);
}

TEST_CASE("a frame many times the node's receive buffer arrives whole, multi-byte text intact",
          "[protocol]") {
  TempDir dir;
  Node node(dir.path());
  auto alice = JoinedSession(node.port(), "alice", "general");
  // 4,096 characters, the default limit, of 2 and 4 bytes: 12 KiB that lws hands over in
  // 512-byte pieces, cutting through characters.
  std::string text;
  for (int i = 0; i < 4096; ++i) text += i % 2 == 0 ? "\xc3\xa9" : "\xf0\x9f\x98\x80";
  auto ack = Send(*alice, "general", text, 2);
  REQUIRE(ack["id"].is_string());
  auto msg = alice->ReadType("msg");
  REQUIRE(msg);
  CHECK((*msg)["text"] == text);
}

TEST_CASE("a room past --presence-events-max stops announcing joins; presence still lists all",
          "[protocol][presence]") {
  TempDir dir;
  Node node(dir.path(), {"--presence-events-max", "2"});
  auto alice = JoinedSession(node.port(), "alice", "hall");
  auto bob = JoinedSession(node.port(), "bob", "hall");
  auto event = alice->ReadType("presence");
  REQUIRE(event);
  CHECK((*event)["user"] == "bob");

  auto carol = JoinedSession(node.port(), "carol", "hall");
  // The next presence line alice reads answers her request: carol's join was not announced.
  alice->SendJson({{"type", "presence"}, {"ref", 2}, {"channel", "hall"}});
  auto list = alice->ReadType("presence");
  REQUIRE(list);
  CHECK((*list)["ref"] == 2);
  CHECK((*list)["users"] == json::array({"alice", "bob", "carol"}));
  CHECK(
      HttpBody(HttpGet(node.port(), "/metrics")).find("chatctl_presence_events_skipped_total 1") !=
      std::string::npos);
}

TEST_CASE("sends batched in one frame are acked and stored in order, around other requests",
          "[protocol]") {
  // The gateway hands a frame's sends to the writer together; a control request in between (a
  // room's creation) must still be written after the sends before it and before those after.
  TempDir dir;
  Node node(dir.path());
  auto ws = OpenSession(node.port(), "alice");
  ws->SendText(R"({"type":"send","ref":1,"channel":"general","text":"one"})"
               "\n"
               R"({"type":"send","ref":2,"channel":"general","text":"two"})"
               "\n"
               R"({"type":"create","ref":3,"channel":"ops"})"
               "\n"
               R"({"type":"send","ref":4,"channel":"general"})"
               "\n"
               R"({"type":"send","ref":5,"channel":"general","text":"three"})");
  std::vector<std::string> acked;
  std::vector<std::string> ids;
  bool created = false, refused = false;
  while (acked.size() < 3 || !created || !refused) {
    auto reply = ws->ReadJson();
    REQUIRE(reply);
    std::string type = (*reply)["type"];
    if (type == "ack") {
      acked.push_back((*reply)["ref"].dump());
      ids.push_back((*reply)["id"]);
    } else if (type == "ok") {
      CHECK((*reply)["ref"] == 3);
      CHECK_FALSE(created);
      created = true;
    } else if (type == "error") {
      CHECK((*reply)["ref"] == 4);  // no text
      refused = true;
    }
  }
  CHECK(acked == std::vector<std::string>{"1", "2", "5"});
  CHECK(std::stoull(ids[0]) < std::stoull(ids[1]));
  CHECK(std::stoull(ids[1]) < std::stoull(ids[2]));

  ws->SendJson({{"type", "history"}, {"ref", 6}, {"channel", "general"}});
  auto history = ws->ReadType("history");
  REQUIRE(history);
  REQUIRE((*history)["messages"].size() == 3);
  CHECK((*history)["messages"][0]["text"] == "one");
  CHECK((*history)["messages"][1]["text"] == "two");
  CHECK((*history)["messages"][2]["text"] == "three");
  CHECK((*history)["messages"][2]["id"] == ids[2]);
}

TEST_CASE("a frame of sends past --max-pending-writes is refused whole, and nothing of it stored",
          "[protocol]") {
  // The writer's queue takes a frame's sends together or not at all: with room for two, a frame of
  // three is refused `unavailable` (each with its ref) while a frame of two is taken.
  TempDir dir;
  Node node(dir.path(), {"--max-pending-writes", "2", "--rate-limit", "0"});
  auto ws = OpenSession(node.port(), "alice");
  ws->SendText(R"({"type":"send","ref":1,"channel":"general","text":"one"})"
               "\n"
               R"({"type":"send","ref":2,"channel":"general","text":"two"})"
               "\n"
               R"({"type":"send","ref":3,"channel":"general","text":"three"})");
  std::vector<int> refused;
  while (refused.size() < 3) {
    auto reply = ws->ReadJson();
    REQUIRE(reply);
    REQUIRE((*reply)["type"] == "error");
    CHECK((*reply)["code"] == "unavailable");
    refused.push_back((*reply)["ref"]);
  }
  CHECK(refused == std::vector<int>{1, 2, 3});

  ws->SendText(R"({"type":"send","ref":4,"channel":"general","text":"four"})"
               "\n"
               R"({"type":"send","ref":5,"channel":"general","text":"five"})");
  auto first = ws->ReadType("ack");
  auto second = ws->ReadType("ack");
  REQUIRE(first);
  REQUIRE(second);
  CHECK((*first)["ref"] == 4);
  CHECK((*second)["ref"] == 5);

  ws->SendJson({{"type", "history"}, {"ref", 6}, {"channel", "general"}});
  auto history = ws->ReadType("history");
  REQUIRE(history);
  REQUIRE((*history)["messages"].size() == 2);
  CHECK((*history)["messages"][0]["text"] == "four");
  CHECK((*history)["messages"][1]["text"] == "five");
}
