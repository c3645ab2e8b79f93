// The mesh with real `chatctl serve` processes on loopback: relay across nodes, catch-up after a
// kill or a freeze, discovery, duplicate node ids, and a failing-over tail.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "support/process.h"
#include "support/raw_ws.h"

using namespace chatctl::test;
using nlohmann::json;

namespace {

std::vector<std::string> MeshArgs(int node_id, const std::vector<std::string>& peers = {}) {
  // No rate limit: the tests push thousands of messages through one session.
  std::vector<std::string> args{"--node-id",         std::to_string(node_id), "--mesh-bind",
                                "tcp://127.0.0.1:0", "--rate-limit",          "0"};
  for (const auto& p : peers) {
    args.push_back("--peer");
    args.push_back(p);
  }
  return args;
}

// Every row of a node's store, as (channel, id, origin, seq), in channel then id order.
using Row = std::tuple<std::string, std::int64_t, std::int64_t, std::int64_t>;
std::vector<Row> StoredRows(const Node& node) {
  std::vector<Row> rows;
  sqlite3* db = nullptr;
  std::string path = node.data_dir() + "/chatctl.db";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 2000);
    sqlite3_stmt* stmt = nullptr;
    const char* sql = "SELECT channel, id, origin, seq FROM messages ORDER BY channel, id";
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK) {
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        rows.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)),
                          sqlite3_column_int64(stmt, 1), sqlite3_column_int64(stmt, 2),
                          sqlite3_column_int64(stmt, 3));
      }
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return rows;
}

// Sends `count` messages through one node, spread over two channels, batched 50 to a frame,
// and waits for every ack.
void SendMany(const Node& node, const std::string& user, int count, const std::string& tag) {
  auto ws = OpenSession(node.port(), user);
  int acked = 0;
  for (int sent = 0; sent < count;) {
    std::string frame;
    int in_frame = 0;
    for (; in_frame < 50 && sent < count; ++in_frame, ++sent) {
      if (!frame.empty()) frame += '\n';
      frame += json{{"type", "send"},
                    {"channel", sent % 2 == 0 ? "even" : "odd"},
                    {"text", tag + std::to_string(sent)}}
                   .dump();
    }
    ws->SendText(frame);
    for (int i = 0; i < in_frame; ++i) {
      if (ws->ReadType("ack", 10s)) ++acked;
    }
  }
  REQUIRE(acked == count);
}

}  // namespace

TEST_CASE("a message sent on node 1 reaches tail -f on node 3", "[mesh]") {
  TempDir dir;
  Node n1(dir.path() + "/n1", MeshArgs(1));
  Node n2(dir.path() + "/n2", MeshArgs(2, {n1.mesh_pub()}));
  Node n3(dir.path() + "/n3", MeshArgs(3, {n1.mesh_pub()}));
  Process tail({CHATCTL_BIN, "tail", "-u", n3.url(), "--as", "carol", "-c", "general", "-n", "10",
                "-f", "--json"});
  auto sent = RunChatctl({"send", "-u", n1.url(), "--as", "alice", "-c", "general", "over there"});
  REQUIRE(sent.exit_code == 0);
  auto line = tail.ReadLine(10s);
  REQUIRE(line);
  auto msg = json::parse(*line);
  CHECK(msg["text"] == "over there");
  CHECK(msg["from"] == "alice");
  // And node 2, which only knew node 1's address, has it too.
  CHECK(WaitUntil([&] { return StoredRows(n2).size() == 1; }, 10s));
}

TEST_CASE("a node killed with SIGKILL catches up everything it missed", "[mesh][restart]") {
  TempDir dir;
  Node n1(dir.path() + "/n1", MeshArgs(1));
  auto args2 = MeshArgs(2, {n1.mesh_pub()});
  args2.insert(args2.end(), {"--since-replay-max", "5000"});
  Node n2(dir.path() + "/n2", args2);
  Node n3(dir.path() + "/n3", MeshArgs(3, {n1.mesh_pub()}));

  SendMany(n1, "before", 10, "b");
  REQUIRE(WaitUntil([&] { return StoredRows(n2).size() == 10; }, 10s));
  auto last_seen = json::parse(
      RunChatctl({"tail", "-u", n2.url(), "-c", "even", "-n", "1", "--json"}).out)["id"];

  n2.Kill(SIGKILL);
  n2.Wait(5s);
  SendMany(n1, "alice", 1000, "a");
  SendMany(n3, "carol", 1000, "c");
  n2.Restart();

  bool level = WaitUntil(
      [&] {
        auto rows = StoredRows(n2);
        return rows.size() == 2010 && rows == StoredRows(n1);
      },
      60s);
  CHECK(level);
  CHECK(StoredRows(n3) == StoredRows(n1));

  // A client of node 2 resuming with `since` gets exactly the messages after the one it saw.
  auto resumed = RunChatctl(
      {"tail", "-u", n2.url(), "-c", "even", "--since", last_seen.get<std::string>(), "--json"});
  REQUIRE(resumed.exit_code == 0);
  std::set<std::string> texts;
  int lines = 0;
  for (std::size_t at = 0; at < resumed.out.size();) {
    auto nl = resumed.out.find('\n', at);
    texts.insert(json::parse(resumed.out.substr(at, nl - at))["text"].get<std::string>());
    ++lines;
    at = nl + 1;
  }
  CHECK(lines == 1000);  // 500 even from each sender
  CHECK(texts.size() == 1000);
  CHECK(texts.count("a0") == 1);
  CHECK(texts.count("c998") == 1);
  CHECK(texts.count("b8") == 0);
}

TEST_CASE("a node frozen with SIGSTOP under traffic converges after SIGCONT", "[mesh][restart]") {
  TempDir dir;
  Node n1(dir.path() + "/n1", MeshArgs(1));
  Node n2(dir.path() + "/n2", MeshArgs(2, {n1.mesh_pub()}));
  Node n3(dir.path() + "/n3", MeshArgs(3, {n1.mesh_pub()}));
  SendMany(n1, "alice", 100, "x");
  n2.Kill(SIGSTOP);
  SendMany(n1, "alice", 500, "y");
  SendMany(n3, "carol", 500, "z");
  sleep(2);  // long enough for the others to call it down
  n2.Kill(SIGCONT);
  SendMany(n3, "carol", 100, "w");
  bool level = WaitUntil(
      [&] {
        auto rows = StoredRows(n2);
        return rows.size() == 1200 && rows == StoredRows(n1) && rows == StoredRows(n3);
      },
      60s);
  CHECK(level);
}

TEST_CASE("a fourth node given one peer learns the other three", "[mesh]") {
  TempDir dir;
  Node n1(dir.path() + "/n1", MeshArgs(1));
  Node n2(dir.path() + "/n2", MeshArgs(2, {n1.mesh_pub()}));
  Node n3(dir.path() + "/n3", MeshArgs(3, {n2.mesh_pub()}));
  Node n4(dir.path() + "/n4", MeshArgs(4, {n3.mesh_pub()}));
  auto peers_up = [](const Node& node) {
    std::set<int> up;
    auto body = json::parse(HttpBody(HttpGet(node.port(), "/api/v1/nodes")), nullptr, false);
    if (!body.is_object()) return up;
    for (const auto& p : body["peers"]) {
      if (p["state"] == "up") up.insert(p["node"].get<int>());
    }
    return up;
  };
  CHECK(WaitUntil([&] { return peers_up(n4) == std::set<int>{1, 2, 3}; }, 10s));
  CHECK(WaitUntil([&] { return peers_up(n1) == std::set<int>{2, 3, 4}; }, 10s));
}

TEST_CASE("a second node with an id already in the mesh refuses to join", "[mesh]") {
  TempDir dir;
  Node n1(dir.path() + "/n1", MeshArgs(1));
  Node n2(dir.path() + "/n2", MeshArgs(2, {n1.mesh_pub()}));
  auto clash =
      RunChatctl({"serve", "--listen", "127.0.0.1:0", "--data", dir.path() + "/dup", "--node-id",
                  "2", "--mesh-bind", "tcp://127.0.0.1:0", "--peer", n1.mesh_pub()},
                 "", 20s);
  CHECK(clash.exit_code == 1);
  CHECK(clash.err.find("node id 2 is already used") != std::string::npos);
  // The node that was there first is still there.
  auto sent = RunChatctl({"send", "-u", n2.url(), "--as", "alice", "-c", "general", "still"});
  CHECK(sent.exit_code == 0);
}

TEST_CASE("presence is cluster-wide, and a dead node's users leave it", "[mesh]") {
  TempDir dir;
  Node n1(dir.path() + "/n1", MeshArgs(1));
  auto n2 = std::make_unique<Node>(dir.path() + "/n2", MeshArgs(2, {n1.mesh_pub()}));
  auto watcher = OpenSession(n1.port(), "watcher");
  watcher->SendJson({{"type", "join"}, {"channel", "lobby"}});
  REQUIRE(watcher->ReadType("joined"));

  auto bob = OpenSession(n2->port(), "bob");
  bob->SendJson({{"type", "join"}, {"channel", "lobby"}});
  REQUIRE(bob->ReadType("joined"));
  auto joined = watcher->ReadType("presence", 5s);
  REQUIRE(joined);
  CHECK((*joined)["user"] == "bob");
  CHECK((*joined)["state"] == "join");
  watcher->SendJson({{"type", "presence"}, {"ref", 1}, {"channel", "lobby"}});
  auto list = watcher->ReadType("presence", 5s);
  REQUIRE(list);
  CHECK((*list)["users"] == json::array({"bob", "watcher"}));

  n2->Kill(SIGKILL);
  auto left = watcher->ReadType("presence", 5s);
  REQUIRE(left);
  CHECK((*left)["user"] == "bob");
  CHECK((*left)["state"] == "leave");
}

TEST_CASE("tail -f over two nodes prints every message once while its node is killed",
          "[mesh][restart]") {
  TempDir dir;
  auto n1 = std::make_unique<Node>(dir.path() + "/n1", MeshArgs(1));
  Node n2(dir.path() + "/n2", MeshArgs(2, {n1->mesh_pub()}));
  Node n3(dir.path() + "/n3", MeshArgs(3, {n1->mesh_pub()}));
  Process tail({CHATCTL_BIN, "tail", "-u", n1->url() + "," + n2.url(), "--as", "reader", "-c",
                "news", "-n", "100", "-f", "--json"});
  std::vector<std::string> seen;
  auto read = [&](int n) {
    for (int i = 0; i < n; ++i) {
      auto line = tail.ReadLine(15s);
      if (!line) return;
      seen.push_back(json::parse(*line)["text"].get<std::string>());
    }
  };
  auto send = [&](int i) {
    return RunChatctl({"send", "-u", n3.url(), "--as", "w", "-c", "news", "m" + std::to_string(i)})
        .exit_code;
  };
  for (int i = 0; i < 20; ++i) REQUIRE(send(i) == 0);
  read(20);
  n1->Kill(SIGKILL);
  for (int i = 20; i < 40; ++i) REQUIRE(send(i) == 0);
  read(20);
  CHECK(!tail.ReadLine(1500ms));
  std::vector<std::string> expected;
  for (int i = 0; i < 40; ++i) expected.push_back("m" + std::to_string(i));
  CHECK(seen == expected);
}

TEST_CASE("a node whose CURVE key is not trusted cannot publish into a secured mesh",
          "[mesh][curve]") {
  TempDir dir;
  auto keygen = [&](const std::string& name) {
    auto out = RunChatctl({"admin", "mesh-keygen", "--out", dir.path() + "/" + name + ".key"});
    REQUIRE(out.exit_code == 0);
    return out.out;  // the public key and a newline
  };
  std::string k1 = keygen("n1"), k2 = keygen("n2"), k3 = keygen("n3");
  std::ofstream(dir.path() + "/trust") << "# nodes 1 and 2\n" << k1 << k2;
  std::ofstream(dir.path() + "/trust3") << k1 << k2 << k3;  // node 3 trusts everyone
  auto secured = [&](int id, const std::string& trust, const std::vector<std::string>& peers) {
    auto args = MeshArgs(id, peers);
    args.insert(args.end(), {"--mesh-key", dir.path() + "/n" + std::to_string(id) + ".key",
                             "--mesh-trust", dir.path() + "/" + trust});
    return args;
  };
  Node n1(dir.path() + "/d1", secured(1, "trust", {}));
  Node n2(dir.path() + "/d2", secured(2, "trust", {n1.mesh_pub()}));
  Node n3(dir.path() + "/d3", secured(3, "trust3", {n1.mesh_pub()}));

  SendMany(n1, "alice", 5, "ok");
  SendMany(n3, "mallory", 5, "evil");
  CHECK(WaitUntil([&] { return StoredRows(n2).size() == 5; }, 10s));
  sleep(2);  // several heartbeats: time enough for anything that could get through
  for (const Node* n : {&n1, &n2}) {
    auto rows = StoredRows(*n);
    CHECK(rows.size() == 5);
    for (const auto& row : rows) CHECK(std::get<2>(row) == 1);  // all from node 1
    auto body = json::parse(HttpBody(HttpGet(n->port(), "/api/v1/nodes")));
    for (const auto& p : body["peers"]) CHECK(p["node"] != 3);
  }
  CHECK(StoredRows(n3).size() == 5);  // its own only
  CHECK(n1.log().find("refused a node whose key is not trusted") != std::string::npos);
  // The refused node is told too, with the reason.
  CHECK(WaitUntil(
      [&] { return n3.log().find("the other node refused this node's key") != std::string::npos; },
      10s));
}

TEST_CASE("a plaintext node facing a secured one is refused, and both logs say why",
          "[mesh][curve]") {
  TempDir dir;
  auto out = RunChatctl({"admin", "mesh-keygen", "--out", dir.path() + "/n1.key"});
  REQUIRE(out.exit_code == 0);
  std::ofstream(dir.path() + "/trust") << out.out;
  auto args = MeshArgs(1);
  args.insert(args.end(),
              {"--mesh-key", dir.path() + "/n1.key", "--mesh-trust", dir.path() + "/trust"});
  Node secured(dir.path() + "/d1", args);
  Node plain(dir.path() + "/d2", MeshArgs(2, {secured.mesh_pub()}));
  // Whichever side reads the other's greeting first names the mismatch and hangs up; the other
  // sees the hang-up and says the keys may differ. Either way each side's log gives a reason.
  auto explained = [](const Node& n) {
    std::string log = n.log();
    return log.find("one node has --mesh-key and the other has not") != std::string::npos ||
           log.find("hung up during the handshake") != std::string::npos;
  };
  CHECK(WaitUntil([&] { return explained(secured); }, 20s));
  CHECK(WaitUntil([&] { return explained(plain); }, 20s));
  CHECK(plain.log().find("mesh: refused by a node") != std::string::npos);
  CHECK(secured.log().find("mesh: refused a node") != std::string::npos);
}

TEST_CASE("a mesh on a non-loopback address needs keys or --mesh-insecure", "[mesh][curve]") {
  TempDir dir;
  auto out = RunChatctl(
      {"serve", "--listen", "127.0.0.1:0", "--data", dir.path(), "--mesh-bind", "tcp://0.0.0.0:0"});
  CHECK(out.exit_code == 1);
  CHECK(out.err.find("--mesh-insecure") != std::string::npos);
  auto half = RunChatctl({"serve", "--listen", "127.0.0.1:0", "--data", dir.path(), "--mesh-bind",
                          "tcp://127.0.0.1:0", "--mesh-key", dir.path() + "/chatctl.db"});
  CHECK(half.exit_code == 1);
  CHECK(half.err.find("go together") != std::string::npos);
  // Keys for a node that has no mesh at all are a mistake, not a single node.
  auto keygen = RunChatctl({"admin", "mesh-keygen", "--out", dir.path() + "/k"});
  REQUIRE(keygen.exit_code == 0);
  std::ofstream(dir.path() + "/t") << keygen.out;
  auto keys_alone =
      RunChatctl({"serve", "--listen", "127.0.0.1:0", "--data", dir.path(), "--mesh-key",
                  dir.path() + "/k", "--mesh-trust", dir.path() + "/t"});
  CHECK(keys_alone.exit_code == 1);
  CHECK(keys_alone.err.find("are for a mesh") != std::string::npos);
  auto key_alone = RunChatctl(
      {"serve", "--listen", "127.0.0.1:0", "--data", dir.path(), "--mesh-key", dir.path() + "/k"});
  CHECK(key_alone.exit_code == 1);
  CHECK(key_alone.err.find("go together") != std::string::npos);
}
