// The gateway's worker thread (relay/worker.h) with a real read-only store: a job runs on the
// worker with that store, what it returns goes back through the deliver callback, a full queue
// refuses, and stopping finishes what is queued. The gateway end is a real WorkQueue standing in
// for the gateway's inbox; password hashing is left to the accounts tests.
#include "relay/worker.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "relay/work_queue.h"
#include "tests/unit/relay/temp_store.h"

namespace chatctl::relay {
namespace {

using namespace std::chrono_literals;
using testing::OpenReader;
using testing::OpenWriter;
using testing::TempDir;

// Long enough for a loaded machine running sanitizers; only a stuck worker ever waits this long.
constexpr auto kPatience = 20s;

// The gateway's side: what the worker delivers lands in a queue this thread drains, as the
// gateway's inbox does.
class Inbox {
 public:
  Inbox() : queue_(1024) {}
  Worker::PostTask Callback() {
    return [this](Task task) { queue_.PushAlways(std::move(task)); };
  }
  // Runs everything delivered until `count` have run or the time is up; how many ran.
  int RunDelivered(int count, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int ran = 0;
    while (ran < count && std::chrono::steady_clock::now() < deadline) {
      for (auto& task : queue_.TryPopAll()) {
        task.run();
        ++ran;
      }
      std::this_thread::sleep_for(1ms);
    }
    return ran;
  }
  std::size_t waiting() const { return queue_.size(); }

 private:
  WorkQueue<Task> queue_;
};

// A store file holding one message, and a read-only connection on it for a worker.
struct StoreFile {
  TempDir dir;
  std::string path = dir.File("chat.db");
  StoreFile() {
    Message m;
    m.id = 42;
    m.channel = "general";
    m.from = "alice";
    m.text = "hello from the store";
    m.ts = 1700000000000;
    m.origin = 1;
    m.seq = 1;
    REQUIRE(OpenWriter(path)->Append({m}).ok());
  }
};

}  // namespace

TEST_CASE("a job runs on the worker with its store, and its result runs where it is delivered",
          "[worker]") {
  StoreFile file;
  Inbox inbox;
  Worker worker("test-worker", OpenReader(file.path), 8, inbox.Callback());

  const std::thread::id test_thread = std::this_thread::get_id();
  std::thread::id job_thread;
  std::thread::id then_thread;
  std::optional<std::string> text;
  REQUIRE(worker.Submit([&](Store& store) -> Task {
    job_thread = std::this_thread::get_id();
    auto found = store.Get(42);
    std::string got = found.ok() && found->has_value() ? (*found)->text : "not found";
    return Task{[&, got] {
      then_thread = std::this_thread::get_id();
      text = got;
    }};
  }));

  REQUIRE(inbox.RunDelivered(1, kPatience) == 1);
  CHECK(text == "hello from the store");
  CHECK(job_thread != test_thread);
  CHECK(then_thread == test_thread);
}

TEST_CASE("a job with nothing more to do delivers nothing, and later jobs still deliver in order",
          "[worker]") {
  StoreFile file;
  Inbox inbox;
  std::vector<int> order;
  {
    Worker worker("test-worker", OpenReader(file.path), 8, inbox.Callback());
    for (int i = 1; i <= 4; ++i) {
      REQUIRE(worker.Submit([&order, i](Store&) -> Task {
        if (i % 2 == 1) return Task{};  // e.g. the session it was for has gone
        return Task{[&order, i] { order.push_back(i); }};
      }));
    }
  }  // the destructor finishes the queued jobs before it returns

  CHECK(inbox.waiting() == 2);
  CHECK(inbox.RunDelivered(2, kPatience) == 2);
  CHECK(order == std::vector<int>{2, 4});
}

TEST_CASE("a worker whose queue is full refuses a job, and takes jobs again once it has room",
          "[worker]") {
  StoreFile file;
  Inbox inbox;
  constexpr std::size_t kCapacity = 3;
  Worker worker("test-worker", OpenReader(file.path), kCapacity, inbox.Callback());

  // Hold the worker inside a job so that nothing leaves the queue while we fill it.
  std::promise<void> started;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  REQUIRE(worker.Submit([&started, released](Store&) -> Task {
    started.set_value();
    released.wait();
    return Task{};
  }));
  REQUIRE(started.get_future().wait_for(kPatience) == std::future_status::ready);

  int ran = 0;
  auto counted = [&ran](Store&) -> Task { return Task{[&ran] { ++ran; }}; };
  for (std::size_t i = 0; i < kCapacity; ++i) CHECK(worker.Submit(counted));
  CHECK_FALSE(worker.Submit(counted));

  release.set_value();
  CHECK(inbox.RunDelivered(static_cast<int>(kCapacity), kPatience) == static_cast<int>(kCapacity));
  CHECK(worker.Submit(counted));
  CHECK(inbox.RunDelivered(1, kPatience) == 1);
  CHECK(ran == static_cast<int>(kCapacity) + 1);
}

TEST_CASE("a stopped worker refuses jobs", "[worker]") {
  StoreFile file;
  Inbox inbox;
  Worker worker("test-worker", OpenReader(file.path), 8, inbox.Callback());
  worker.Stop();
  CHECK_FALSE(worker.Submit([](Store&) -> Task { return Task{}; }));
}

}  // namespace chatctl::relay
