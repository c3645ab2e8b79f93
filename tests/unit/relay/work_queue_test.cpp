// The bounded queue between a node's threads (relay/work_queue.h): its capacity, the pushes that
// may and may not pass it, the pops, Close, and many producers against consumers on real threads.
// Every wait here is bounded, so a queue that loses a wake-up fails the test instead of hanging it.
#include "relay/work_queue.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <thread>
#include <utility>
#include <vector>

using chatctl::relay::WorkQueue;
using namespace std::chrono_literals;

namespace {

// Long enough for a loaded machine running sanitizers; only a broken queue ever waits this long.
constexpr auto kPatience = 10s;
// How long a blocked PopBatch must stay blocked for us to believe it is waiting.
constexpr auto kStillBlocked = 50ms;

// Declared after the futures of a test, so that a failed check closes the queue and wakes its
// consumers before those futures' destructors wait for them.
class CloseOnExit {
 public:
  explicit CloseOnExit(WorkQueue<int>& queue) : queue_(queue) {}
  ~CloseOnExit() { queue_.Close(); }
  CloseOnExit(const CloseOnExit&) = delete;
  CloseOnExit& operator=(const CloseOnExit&) = delete;

 private:
  WorkQueue<int>& queue_;
};

std::vector<int> Range(int first, int last) {
  std::vector<int> out;
  for (int i = first; i <= last; ++i) out.push_back(i);
  return out;
}

}  // namespace

TEST_CASE("a queue refuses a push past its capacity and takes one again once drained",
          "[work_queue]") {
  WorkQueue<int> queue(3);
  CHECK(queue.Push(1));
  CHECK(queue.Push(2));
  CHECK(queue.Push(3));
  CHECK_FALSE(queue.Push(4));
  CHECK(queue.size() == 3);

  CHECK(queue.TryPopAll() == Range(1, 3));
  CHECK(queue.size() == 0);
  CHECK(queue.Push(5));
  CHECK(queue.TryPopAll() == std::vector<int>{5});
}

TEST_CASE("PushAlways queues past capacity, and Push keeps refusing while the queue is over it",
          "[work_queue]") {
  WorkQueue<int> queue(2);
  REQUIRE(queue.Push(1));
  REQUIRE(queue.Push(2));
  queue.PushAlways(3);
  queue.PushAlways(4);
  CHECK(queue.size() == 4);
  CHECK_FALSE(queue.Push(5));

  // Nothing pushed past capacity is lost or reordered.
  CHECK(queue.TryPopAll() == Range(1, 4));
  CHECK(queue.Push(6));
}

TEST_CASE("PushAll puts in a whole batch or, when it does not fit, none of it", "[work_queue]") {
  WorkQueue<int> queue(4);
  REQUIRE(queue.Push(1));

  std::vector<int> too_many = Range(2, 5);
  CHECK_FALSE(queue.PushAll(std::move(too_many)));
  CHECK(queue.size() == 1);
  CHECK(too_many == Range(2, 5));  // left as it was, for the caller to answer or retry

  std::vector<int> fits = Range(2, 4);
  CHECK(queue.PushAll(std::move(fits)));
  CHECK(queue.TryPopAll() == Range(1, 4));
}

TEST_CASE("TryPopAll returns at once, empty when there is nothing queued", "[work_queue]") {
  WorkQueue<int> queue(8);
  auto popped = std::async(std::launch::async, [&] { return queue.TryPopAll(); });
  REQUIRE(popped.wait_for(kPatience) == std::future_status::ready);
  CHECK(popped.get().empty());
}

TEST_CASE("PopBatch takes at most its maximum, oldest first, and leaves the rest queued",
          "[work_queue]") {
  WorkQueue<int> queue(16);
  for (int i = 1; i <= 10; ++i) REQUIRE(queue.Push(i));
  CHECK(queue.PopBatch(4) == Range(1, 4));
  CHECK(queue.size() == 6);
  CHECK(queue.PopBatch(100) == Range(5, 10));
}

TEST_CASE("PopBatch waits while the queue is empty and wakes for the first push", "[work_queue]") {
  WorkQueue<int> queue(4);
  auto popped = std::async(std::launch::async, [&] { return queue.PopBatch(8); });
  CloseOnExit wake(queue);
  CHECK(popped.wait_for(kStillBlocked) == std::future_status::timeout);

  REQUIRE(queue.Push(7));
  REQUIRE(popped.wait_for(kPatience) == std::future_status::ready);
  CHECK(popped.get() == std::vector<int>{7});
}

TEST_CASE("a closed queue refuses new work, hands out what it holds, then pops empty at once",
          "[work_queue]") {
  WorkQueue<int> queue(4);
  REQUIRE(queue.Push(1));
  REQUIRE(queue.Push(2));
  queue.Close();

  CHECK_FALSE(queue.Push(3));
  CHECK_FALSE(queue.PushAll(Range(3, 4)));
  CHECK(queue.size() == 2);

  auto drained = std::async(std::launch::async, [&] {
    std::vector<int> first = queue.PopBatch(8);
    std::vector<int> second = queue.PopBatch(8);  // must not block: closed and drained
    return std::pair{first, second};
  });
  REQUIRE(drained.wait_for(kPatience) == std::future_status::ready);
  auto [first, second] = drained.get();
  CHECK(first == Range(1, 2));
  CHECK(second.empty());
}

TEST_CASE("Close wakes every consumer blocked in PopBatch", "[work_queue]") {
  WorkQueue<int> queue(4);
  std::vector<std::future<std::vector<int>>> consumers;
  for (int i = 0; i < 3; ++i) {
    consumers.push_back(std::async(std::launch::async, [&] { return queue.PopBatch(8); }));
  }
  CloseOnExit wake(queue);
  for (auto& c : consumers) CHECK(c.wait_for(kStillBlocked) == std::future_status::timeout);

  queue.Close();
  for (auto& c : consumers) {
    REQUIRE(c.wait_for(kPatience) == std::future_status::ready);
    CHECK(c.get().empty());
  }
}

TEST_CASE("items from many producers reach one consumer each exactly once, in each one's order",
          "[work_queue]") {
  constexpr int kProducers = 4;
  constexpr int kPerProducer = 5000;
  constexpr std::size_t kCapacity = 64;
  WorkQueue<int> queue(kCapacity);
  const auto deadline = std::chrono::steady_clock::now() + kPatience;

  // A full queue refuses, as it does a node's clients; a producer here tries again.
  std::atomic<std::size_t> largest_seen{0};
  std::atomic<bool> out_of_time{false};
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        while (!queue.Push(p * kPerProducer + i)) {
          if (std::chrono::steady_clock::now() > deadline) {
            out_of_time = true;
            return;
          }
          std::this_thread::yield();
        }
        std::size_t size = queue.size();
        std::size_t seen = largest_seen.load();
        while (size > seen && !largest_seen.compare_exchange_weak(seen, size)) {
        }
      }
    });
  }

  // The consumer notes the next item it expects from each producer: any loss, duplicate or
  // reordering shows up as an item other than the expected one.
  auto consumed = std::async(std::launch::async, [&] {
    std::vector<int> next(kProducers, 0);
    int total = 0;
    int out_of_order = 0;
    while (total < kProducers * kPerProducer && std::chrono::steady_clock::now() < deadline) {
      std::vector<int> batch = queue.PopBatch(16);
      if (batch.empty()) break;  // closed: the producers gave up
      for (int item : batch) {
        int p = item / kPerProducer;
        if (item % kPerProducer != next[p]) ++out_of_order;
        next[p] = item % kPerProducer + 1;
        ++total;
      }
    }
    return std::pair{total, out_of_order};
  });
  CloseOnExit wake(queue);

  for (auto& t : producers) t.join();
  if (out_of_time) queue.Close();
  REQUIRE(consumed.wait_for(kPatience) == std::future_status::ready);
  auto [total, out_of_order] = consumed.get();
  CHECK_FALSE(out_of_time);
  CHECK(total == kProducers * kPerProducer);
  CHECK(out_of_order == 0);
  CHECK(largest_seen.load() <= kCapacity);
  CHECK(queue.size() == 0);
}

TEST_CASE("consumers that share a queue split its items between them, each item once",
          "[work_queue]") {
  constexpr int kItems = 20000;
  constexpr int kConsumers = 3;
  WorkQueue<int> queue(32);
  const auto deadline = std::chrono::steady_clock::now() + kPatience;

  std::vector<std::future<std::vector<int>>> consumers;
  for (int c = 0; c < kConsumers; ++c) {
    consumers.push_back(std::async(std::launch::async, [&] {
      std::vector<int> got;
      for (;;) {
        std::vector<int> batch = queue.PopBatch(8);
        if (batch.empty()) return got;  // closed and drained
        got.insert(got.end(), batch.begin(), batch.end());
      }
    }));
  }
  CloseOnExit wake(queue);
  bool in_time = true;
  for (int i = 0; i < kItems && in_time; ++i) {
    while (!queue.Push(i)) {
      if (std::chrono::steady_clock::now() > deadline) {
        in_time = false;
        break;
      }
      std::this_thread::yield();
    }
  }
  queue.Close();

  std::vector<int> seen(kItems, 0);
  for (auto& c : consumers) {
    REQUIRE(c.wait_for(kPatience) == std::future_status::ready);
    for (int item : c.get()) ++seen[static_cast<std::size_t>(item)];
  }
  CHECK(in_time);
  CHECK(std::count(seen.begin(), seen.end(), 1) == kItems);
}
