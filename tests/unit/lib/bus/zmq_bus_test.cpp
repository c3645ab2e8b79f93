// The ZeroMQ mesh in one process (lib/bus/zmq_bus.h), on loopback with real sockets and real
// stores: what one bus publishes the other applies, and an exception on the mesh thread becomes
// the bus's failure (handlers.failed, or Start()'s error) instead of std::terminate.
#include <stdlib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "lib/bus/zmq_bus.h"

using namespace chatctl;
using namespace chatctl::bus;
using namespace std::chrono_literals;

namespace {

class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/chatctl-zmq-bus-test-XXXXXX";
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

// A node's database: the writer that makes it, and the mesh options with a reader of it.
struct Node {
  TempDir dir;
  std::unique_ptr<Store> writer;

  Node() {
    auto opened = Store::OpenWriter(dir.File("chatctl.db"), Durability::kNormal);
    REQUIRE(opened.ok());
    writer = std::move(opened.value());
  }
  MeshOptions Options(std::uint32_t node_id, std::vector<std::string> peers = {}) {
    MeshOptions options;
    options.node_id = node_id;
    options.bind = "tcp://127.0.0.1:0";
    options.peers = std::move(peers);
    auto reader = Store::OpenReader(dir.File("chatctl.db"));
    REQUIRE(reader.ok());
    options.store = std::move(reader.value());
    options.heartbeat_ms = 50;
    return options;
  }
};

std::unique_ptr<ZmqBus> MakeBus(MeshOptions options) {
  auto bus = ZmqBus::Create(std::move(options));
  INFO((bus.ok() ? std::string() : bus.error().message));
  REQUIRE(bus.ok());
  return std::move(bus.value());
}

Handlers Quiet() {
  Handlers handlers;
  handlers.apply = [](std::vector<Message>) { return true; };
  handlers.presence = [](std::uint32_t, PresenceMap) {};
  handlers.view = [](ClusterView) {};
  return handlers;
}

}  // namespace

TEST_CASE("events one bus publishes are applied by the other, in order", "[zmq_bus]") {
  Node one, two;
  auto first = MakeBus(one.Options(1));
  REQUIRE(first->Start(Quiet()).ok());
  auto second = MakeBus(two.Options(2, {first->pub_endpoint()}));

  std::mutex mu;
  std::vector<std::uint64_t> applied;
  std::promise<void> all;
  Handlers handlers = Quiet();
  handlers.apply = [&](std::vector<Message> events) {
    std::lock_guard lock(mu);
    for (const auto& m : events) {
      if (m.origin == 1) applied.push_back(m.seq);
    }
    if (applied.size() == 3) all.set_value();
    return true;
  };
  REQUIRE(second->Start(handlers).ok());

  // Durable first, as a node does, so a subscriber that missed them fetches them from the store.
  std::vector<Message> events = {Event(1, 1), Event(1, 2), Event(1, 3)};
  REQUIRE(one.writer->Append(events).ok());
  first->Publish(events);
  REQUIRE(all.get_future().wait_for(10s) == std::future_status::ready);
  second->Stop();
  first->Stop();
  std::lock_guard lock(mu);
  CHECK(applied == std::vector<std::uint64_t>{1, 2, 3});
}

TEST_CASE("an exception inside the mesh loop reaches handlers.failed, and the process goes on",
          "[zmq_bus]") {
  Node node;
  auto bus = MakeBus(node.Options(1));
  std::atomic<int> failures{0};
  std::promise<Error> failed;
  std::atomic<int> views_after{0};
  Handlers handlers = Quiet();
  // Real code the mesh thread runs every heartbeat; this one throws as a broken handler would.
  handlers.view = [&](ClusterView) {
    if (failures.load() > 0) ++views_after;
    throw std::runtime_error("the view handler broke");
  };
  handlers.failed = [&](Error error) {
    if (++failures == 1) failed.set_value(std::move(error));
  };
  REQUIRE(bus->Start(handlers).ok());

  auto reported = failed.get_future();
  REQUIRE(reported.wait_for(5s) == std::future_status::ready);
  Error error = reported.get();
  CHECK(error.code == "internal");
  CHECK(error.message.find("the view handler broke") != std::string::npos);
  std::this_thread::sleep_for(200ms);  // four heartbeats: the loop has ended, nothing more comes
  CHECK(failures.load() == 1);
  CHECK(views_after.load() == 0);
  bus->Publish({Event(1, 1)});  // a bus that failed still takes calls harmlessly
  bus->Stop();
}

TEST_CASE("an exception on the mesh thread before the bus has started is Start's error",
          "[zmq_bus]") {
  Node node;
  // With a peer the bus listens first; it reports the cluster view meanwhile, and that throws.
  auto bus = MakeBus(node.Options(1, {"tcp://127.0.0.1:9"}));
  std::atomic<int> failures{0};
  Handlers handlers = Quiet();
  handlers.view = [](ClusterView) { throw std::runtime_error("the view handler broke"); };
  handlers.failed = [&](Error) { ++failures; };
  Status started = bus->Start(handlers);
  REQUIRE_FALSE(started.ok());
  CHECK(started.error().code == "internal");
  CHECK(started.error().message.find("the view handler broke") != std::string::npos);
  CHECK(failures.load() == 0);
}

TEST_CASE("a bus whose failed handler is empty only logs its failure", "[zmq_bus]") {
  Node node;
  auto bus = MakeBus(node.Options(1));
  std::atomic<int> views{0};
  Handlers handlers = Quiet();
  handlers.view = [&](ClusterView) {
    ++views;
    throw std::runtime_error("the view handler broke");
  };
  REQUIRE(bus->Start(handlers).ok());
  std::this_thread::sleep_for(200ms);
  CHECK(views.load() == 1);
  bus->Stop();
}
