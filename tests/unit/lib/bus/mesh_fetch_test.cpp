// Replication without holes (lib/bus/mesh_fetch.h): in-order apply through the tracker, a refused
// batch asked for again, one fetch per origin in flight, and fetches answered from a real store.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "lib/bus/mesh_fetch.h"

using namespace chatctl;
using namespace chatctl::bus;

namespace {

constexpr std::uint32_t kSelf = 1;

Message Event(std::uint32_t origin, std::uint64_t seq) {
  Message m;
  m.id = origin * 1000000 + seq;
  m.channel = "lobby";
  m.from = "alice";
  m.text = "event " + std::to_string(seq);
  m.ts = 1700000000000 + static_cast<std::int64_t>(seq);
  m.origin = origin;
  m.seq = seq;
  return m;
}

std::vector<std::uint64_t> Seqs(const std::vector<Message>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& m : events) out.push_back(m.seq);
  return out;
}

// Records what it is handed; answers `accept`.
struct Applier {
  bool accept = true;
  std::vector<std::vector<Message>> batches;
  std::function<bool(std::vector<Message>)> fn() {
    return [this](std::vector<Message> events) {
      batches.push_back(std::move(events));
      return accept;
    };
  }
};

// Node 2 up and reachable, at head `head`.
PeerTable OriginUp(std::uint64_t head) {
  PeerTable peers(kSelf, 100, 4);
  Heartbeat hb;
  hb.node = 2;
  hb.pub = "tcp://127.0.0.1:8000";
  hb.router = "tcp://127.0.0.1:8001";
  hb.head = head;
  peers.Hear(hb, "tcp://127.0.0.1:7000", 0, 0);
  peers.SetReachable(2, true);
  return peers;
}

class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/chatctl-mesh-fetch-test-XXXXXX";
    if (mkdtemp(name) == nullptr) FAIL("mkdtemp failed");
    path_ = name;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace

TEST_CASE("events that fill a hole are applied in order with what was held behind it",
          "[mesh_fetch]") {
  Replication replication(kSelf, 1000, 100);
  Applier applier;
  CHECK_FALSE(replication.Take({Event(2, 2), Event(2, 3)}, applier.fn()));
  CHECK(applier.batches.empty());
  CHECK(replication.Take({Event(2, 1)}, applier.fn()));
  REQUIRE(applier.batches.size() == 1);
  CHECK(Seqs(applier.batches[0]) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK_FALSE(replication.Take({Event(2, 2)}, applier.fn()));  // a duplicate
  CHECK(replication.tracker().applied(2) == 3);
}

TEST_CASE("a batch the node refuses counts as not applied and is fetched again", "[mesh_fetch]") {
  Replication replication(kSelf, 1000, 100);
  Applier applier;
  applier.accept = false;
  CHECK(replication.Take({Event(2, 1), Event(2, 2)}, applier.fn()));
  CHECK(replication.tracker().applied(2) == 0);
  auto orders = replication.Plan(0, OriginUp(2));
  REQUIRE(orders.size() == 1);
  CHECK(orders[0].request.origin == 2);
  CHECK(orders[0].request.after == 0);
}

TEST_CASE("this node's own events are never applied from the mesh", "[mesh_fetch]") {
  Replication replication(kSelf, 1000, 100);
  Applier applier;
  CHECK_FALSE(replication.Take({Event(kSelf, 1)}, applier.fn()));
  CHECK(applier.batches.empty());
}

TEST_CASE("the store's heads count as applied, and this node's own is its head", "[mesh_fetch]") {
  Replication replication(kSelf, 1000, 100);
  CHECK(replication.Resume({{kSelf, 40}, {2, 7}}) == 40);
  CHECK(replication.tracker().applied(2) == 7);
  CHECK(replication.tracker().applied(kSelf) == 0);
  Applier applier;
  CHECK(replication.Take({Event(2, 7), Event(2, 8)}, applier.fn()));
  REQUIRE(applier.batches.size() == 1);
  CHECK(Seqs(applier.batches[0]) == std::vector<std::uint64_t>{8});
}

TEST_CASE("one fetch per origin is in flight until it is answered or times out", "[mesh_fetch]") {
  Replication replication(kSelf, 500, 100);
  Heartbeat hb;
  hb.node = 2;
  hb.head = 30;
  replication.NoteHeads(hb);
  PeerTable peers = OriginUp(30);

  auto first = replication.Plan(1000, peers);
  REQUIRE(first.size() == 1);
  CHECK(first[0].source == 2);
  CHECK(first[0].request.origin == 2);
  CHECK(first[0].request.after == 0);
  CHECK(first[0].request.limit == 500);
  CHECK(replication.Plan(1000 + Replication::kFetchTimeoutMs - 1, peers).empty());
  CHECK(replication.Plan(1000 + Replication::kFetchTimeoutMs, peers).size() == 1);

  replication.Answered(2);
  CHECK(replication.Plan(3001, peers).size() == 1);
}

TEST_CASE("a hole no live node can fill is not asked for", "[mesh_fetch]") {
  Replication replication(kSelf, 500, 100);
  Heartbeat hb;
  hb.node = 3;
  hb.head = 4;
  hb.applied = {{kSelf, 99}};  // what it holds of ours is never fetched
  replication.NoteHeads(hb);
  CHECK(replication.Plan(0, OriginUp(10)).empty());
  CHECK(replication.Plan(0, PeerTable(kSelf, 100, 4)).empty());
}

TEST_CASE("a fetch is answered from the store, at most a batch", "[mesh_fetch]") {
  TempDir dir;
  auto store = Store::OpenWriter(dir.File("chatctl.db"), Durability::kNormal);
  REQUIRE(store.ok());
  std::vector<Message> events;
  for (std::uint64_t seq = 1; seq <= 5; ++seq) events.push_back(Event(2, seq));
  REQUIRE(store.value()->Append(events).ok());

  FetchReply reply = AnswerFetch(*store.value(), FetchRequest{2, 1, 10}, 3);
  CHECK(reply.origin == 2);
  CHECK(Seqs(reply.events) == std::vector<std::uint64_t>{2, 3, 4});
  CHECK(Seqs(AnswerFetch(*store.value(), FetchRequest{2, 3, 1}, 3).events) ==
        std::vector<std::uint64_t>{4});
  CHECK(AnswerFetch(*store.value(), FetchRequest{9, 0, 10}, 3).events.empty());
}
