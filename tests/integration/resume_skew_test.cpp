// Resume across nodes whose clocks disagree: real nodes run under libfaketime with their clocks
// up to a second apart, a follower's node is killed under traffic, and the follower fails over
// to another node. Every acked message must reach it once: none missed, none twice. With `since`
// alone this loses the messages the slow-clocked node accepted during the failover, whose ids lie
// below the last id the follower saw from the fast-clocked node.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "lib/client/resume_cursors.h"
#include "lib/protocol/client.h"
#include "support/process.h"
#include "support/raw_ws.h"

using namespace chatctl::test;
using nlohmann::json;

namespace {

// libfaketime's multithreaded build, where Debian's `faketime` package puts it.
std::string FaketimeLibrary() {
  for (const char* dir : {"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"}) {
    std::string path = std::string(dir) + "/faketime/libfaketimeMT.so.1";
    if (std::filesystem::exists(path)) return path;
  }
  return "";
}

// The environment that runs a node `offset` ("+1.0", "-0.5": seconds) off the real clock. Only
// the wall clock moves: ids come from it, while timers keep to the monotonic one. An ASan build
// checks that its runtime comes first among the preloaded libraries, which libfaketime is not.
std::map<std::string, std::string> SkewedClock(const std::string& offset) {
  std::string asan = std::getenv("ASAN_OPTIONS") ? std::getenv("ASAN_OPTIONS") : "";
  if (!asan.empty()) asan += ":";
  asan += "verify_asan_link_order=0";
  return {{"LD_PRELOAD", FaketimeLibrary()},
          {"FAKETIME", offset},
          {"DONT_FAKE_MONOTONIC", "1"},
          {"ASAN_OPTIONS", asan}};
}

std::vector<std::string> MeshArgs(int node_id, const std::vector<std::string>& peers = {}) {
  std::vector<std::string> args{"--node-id",         std::to_string(node_id), "--mesh-bind",
                                "tcp://127.0.0.1:0", "--rate-limit",          "0"};
  for (const auto& p : peers) {
    args.push_back("--peer");
    args.push_back(p);
  }
  return args;
}

// Sends one message at a time through one node until told to stop or the node goes away, and
// keeps the texts the node acked.
class Writer {
 public:
  Writer(const Node& node, std::string tag)
      : ws_(OpenSession(node.port(), "w" + tag)), tag_(std::move(tag)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Writer() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::vector<std::string> acked() {
    std::lock_guard<std::mutex> lock(mutex_);
    return acked_;
  }

 private:
  void Run() {
    // Bounded: 5 ms apart for at most 60 s.
    for (int i = 0; i < 12000 && !stop_; ++i) {
      std::string text = tag_ + "-" + std::to_string(i);
      ws_->SendJson({{"type", "send"}, {"channel", "news"}, {"text", text}});
      if (!ws_->ReadType("ack", 5s)) return;  // the node was killed
      {
        std::lock_guard<std::mutex> lock(mutex_);
        acked_.push_back(text);
      }
      std::this_thread::sleep_for(5ms);
    }
  }

  std::unique_ptr<RawWs> ws_;
  std::string tag_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::string> acked_;
  std::thread thread_;
};

// A follower on the wire, as a browser would be one: it keeps the cursor `joined` and each `msg`
// give, and when its node goes away it joins the next port of `ports` with it. It counts every
// msg it is given, so a message sent twice shows here even where tail would print it once.
class WireFollower {
 public:
  explicit WireFollower(std::vector<int> ports) : ports_(std::move(ports)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~WireFollower() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::map<std::string, int> given() {
    std::lock_guard<std::mutex> lock(mutex_);
    return given_;
  }
  int joins() const { return joins_; }

 private:
  void Run() {
    auto deadline = std::chrono::steady_clock::now() + 90s;  // bounded, whatever happens
    for (std::size_t at = 0; !stop_ && std::chrono::steady_clock::now() < deadline;
         at = (at + 1) % ports_.size()) {
      std::unique_ptr<chatctl::test::RawWs> ws;
      try {
        ws = OpenSession(ports_[at], "follower");
      } catch (const std::exception&) {
        std::this_thread::sleep_for(100ms);
        continue;
      }
      json join = {{"type", "join"}, {"ref", "j"}, {"channel", "news"}};
      if (auto cursor = cursors_.For("news")) {
        join["cursor"] = *cursor;
      } else {
        join["last"] = 0;
      }
      ws->SendJson(join);
      while (!stop_ && std::chrono::steady_clock::now() < deadline) {
        auto frame = ws->ReadJson(100ms);
        if (!frame) {
          if (ws->closed()) break;
          continue;
        }
        std::string type = frame->value("type", "");
        if (type == "joined") {
          ++joins_;
          cursors_.Joined("news", *frame);
          for (const auto& m : (*frame)["messages"]) Given(m);
        } else if (type == "msg") {
          Given(*frame);
        }
      }
    }
  }

  void Given(json m) {
    m["type"] = "msg";
    auto message = chatctl::protocol::MessageFromJson(m);
    if (!message) return;
    cursors_.Given(*message);
    std::lock_guard<std::mutex> lock(mutex_);
    ++given_[message->text];
  }

  std::vector<int> ports_;
  chatctl::ResumeCursors cursors_;
  std::atomic<bool> stop_{false};
  std::atomic<int> joins_{0};
  std::mutex mutex_;
  std::map<std::string, int> given_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("tail -f failing over between nodes a second apart misses nothing and repeats nothing",
          "[mesh][restart][skew]") {
  REQUIRE_FALSE(FaketimeLibrary().empty());  // scripts/setup.sh installs the faketime package
  TempDir dir;
  // Node 1 runs a second ahead, node 2 a second behind, node 3 half a second behind. Node 1 knows
  // node 2's address, so that it finds the mesh again when it restarts.
  Node n2(dir.path() + "/n2", MeshArgs(2), 0, SkewedClock("-1.0"));
  Node n1(dir.path() + "/n1", MeshArgs(1, {n2.mesh_pub()}), 0, SkewedClock("+1.0"));
  Node n3(dir.path() + "/n3", MeshArgs(3, {n2.mesh_pub()}), 0, SkewedClock("-0.5"));

  // The follower starts on node 1 and fails over to node 2.
  Process tail({CHATCTL_BIN, "tail", "-u", n1.url() + "," + n2.url(), "--as", "reader", "-c",
                "news", "-n", "0", "-f", "--json"});
  std::map<std::string, int> printed;  // text -> times printed
  auto read_for = [&](std::chrono::milliseconds d) {
    auto deadline = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < deadline) {
      auto line = tail.ReadLine(50ms);
      if (line) ++printed[json::parse(*line)["text"].get<std::string>()];
    }
  };
  WireFollower wire({n1.port(), n2.port()});
  read_for(500ms);  // tail has joined

  Writer w1(n1, "a"), w2(n2, "b"), w3(n3, "c");
  read_for(1500ms);
  REQUIRE(printed.size() > 50);
  n1.Kill(SIGKILL);
  n1.Wait(5s);
  read_for(2000ms);  // the follower reconnects to node 2 meanwhile
  // Node 1 comes back, with whatever it acked but had not yet passed on.
  n1.Restart();
  read_for(1500ms);
  w1.Stop();
  w2.Stop();
  w3.Stop();

  std::set<std::string> acked;
  for (Writer* w : {&w1, &w2, &w3}) {
    for (auto& text : w->acked()) acked.insert(text);
  }
  REQUIRE(acked.size() > 300);
  // Bounded wait for the rest, then a while longer for anything printed twice.
  for (int i = 0; i < 100; ++i) {
    bool all = true;
    for (const auto& text : acked) all = all && printed.count(text) != 0;
    if (all) break;
    read_for(100ms);
  }
  read_for(1000ms);
  wire.Stop();
  CHECK(wire.joins() >= 2);  // it did fail over

  std::vector<std::string> missed, twice;
  for (const auto& text : acked) {
    if (printed.count(text) == 0) missed.push_back(text);
  }
  for (const auto& [text, times] : printed) {
    if (times > 1) twice.push_back(text);
  }
  INFO("acked " << acked.size() << ", printed " << printed.size());
  CHECK(missed == std::vector<std::string>{});
  CHECK(twice == std::vector<std::string>{});

  // On the wire too: every acked message given once, none twice.
  std::vector<std::string> wire_missed, wire_twice;
  auto given = wire.given();
  for (const auto& text : acked) {
    if (given.count(text) == 0) wire_missed.push_back(text);
  }
  for (const auto& [text, times] : given) {
    if (times > 1) wire_twice.push_back(text);
  }
  INFO("given on the wire " << given.size());
  CHECK(wire_missed == std::vector<std::string>{});
  CHECK(wire_twice == std::vector<std::string>{});
}
