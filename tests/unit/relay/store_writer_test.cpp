// The store writer thread (relay/store_writer.h) on a real SQLite file: how it numbers the events
// this node originates. Each origin's events are numbered 1, 2, 3 ... with no holes (peers fetch
// by seq and wait for a gap to fill), so a commit that fails must use no numbers. The failures
// are real ones, through the real Store: a batch the store refuses, and a disk that is full.
// The read-back of control state and the WAL restart are left to the integration tests.
#include "relay/store_writer.h"

#include <signal.h>
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tests/unit/relay/temp_store.h"

namespace chatctl::relay {
namespace {

using namespace std::chrono_literals;
using testing::OpenReader;
using testing::OpenWriter;
using testing::TempDir;

constexpr unsigned kNode = 3;
constexpr std::uint32_t kPeer = 7;
// Long enough for a loaded machine running sanitizers; only a stuck writer ever waits this long.
constexpr auto kPatience = 20s;

// What the writer hands back, collected from its thread for the test's.
class Deliveries {
 public:
  StoreWriter::Deliver Callback() {
    return [this](Committed committed) {
      {
        std::lock_guard lock(mu_);
        committed_.push_back(std::move(committed));
      }
      cv_.notify_all();
    };
  }
  // The next group commit's result, or nothing yet when none came within `timeout`.
  std::optional<Committed> Next(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return !committed_.empty(); })) return std::nullopt;
    Committed next = std::move(committed_.front());
    committed_.pop_front();
    return next;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Committed> committed_;  // guarded by mu_
};

Message Event(MessageId id, std::uint32_t origin, std::uint64_t seq) {
  Message m;
  m.id = id;
  m.channel = "general";
  m.from = "alice";
  m.text = "message " + std::to_string(id);
  m.ts = 1700000000000 + static_cast<std::int64_t>(id);
  m.origin = origin;
  m.seq = seq;
  return m;
}

// An event a client sent to this node: the writer numbers it.
WriteJob Local(MessageId id) {
  WriteJob job;
  job.message = Event(id, kNode, 0);
  return job;
}

// Another node's event, from the bus: it keeps its origin's number.
WriteJob Remote(MessageId id, std::uint32_t origin, std::uint64_t seq) {
  WriteJob job;
  job.message = Event(id, origin, seq);
  job.remote = true;
  return job;
}

std::unique_ptr<StoreWriter> StartWriter(const std::string& path, Deliveries& deliveries) {
  auto writer = StoreWriter::Start(OpenWriter(path), kNode, 1024, deliveries.Callback());
  INFO((writer.ok() ? std::string() : writer.error().message));
  REQUIRE(writer.ok());
  return std::move(writer.value());
}

// One group commit: the writer is idle between calls, so a SubmitAll is one batch.
Committed Commit(StoreWriter& writer, Deliveries& deliveries, std::vector<WriteJob> jobs) {
  REQUIRE(writer.SubmitAll(std::move(jobs)));
  auto committed = deliveries.Next(kPatience);
  REQUIRE(committed.has_value());
  return std::move(*committed);
}

std::vector<std::uint64_t> SeqsOf(const Committed& committed) {
  std::vector<std::uint64_t> seqs;
  for (const auto& job : committed.jobs) seqs.push_back(job.message.seq);
  return seqs;
}

// What a fresh connection finds stored for one origin, in seq order.
std::vector<std::uint64_t> StoredSeqs(const std::string& path, std::uint32_t origin) {
  auto events = OpenReader(path)->Range(origin, 0, 1000);
  REQUIRE(events.ok());
  std::vector<std::uint64_t> seqs;
  for (const auto& m : *events) seqs.push_back(m.seq);
  return seqs;
}

// A full disk, as the writer meets it: while this lives the process may not grow a file past
// `cap` bytes, and the signal that would kill it there is ignored, so the write fails with an
// error. Undone however the test leaves the scope.
class DiskFull {
 public:
  explicit DiskFull(rlim_t cap) : saved_handler_(signal(SIGXFSZ, SIG_IGN)) {
    REQUIRE(getrlimit(RLIMIT_FSIZE, &saved_) == 0);
    struct rlimit capped = saved_;
    capped.rlim_cur = cap;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &capped) == 0);
  }
  ~DiskFull() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    signal(SIGXFSZ, saved_handler_);
  }
  DiskFull(const DiskFull&) = delete;
  DiskFull& operator=(const DiskFull&) = delete;

 private:
  struct rlimit saved_ = {};
  sighandler_t saved_handler_;
};

std::vector<std::uint64_t> OneTo(std::uint64_t last) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t s = 1; s <= last; ++s) out.push_back(s);
  return out;
}

}  // namespace

TEST_CASE("a node's own events are numbered on from the file's head seq, in order, with no holes",
          "[store_writer][seq]") {
  TempDir dir;
  const std::string path = dir.File("chat.db");
  // A file this node has written before (seq 1..4), holding a peer's events too.
  REQUIRE(OpenWriter(path)
              ->Append({Event(1, kNode, 1), Event(2, kNode, 2), Event(3, kPeer, 1),
                        Event(4, kNode, 3), Event(5, kNode, 4)})
              .ok());
  Deliveries deliveries;
  auto writer = StartWriter(path, deliveries);

  Committed one = Commit(*writer, deliveries, {Local(10)});
  CHECK(one.status.ok());
  CHECK(SeqsOf(one) == std::vector<std::uint64_t>{5});

  // A peer's events in the same batch keep their numbers and take none of ours.
  std::vector<WriteJob> mixed;
  mixed.push_back(Local(11));
  mixed.push_back(Remote(12, kPeer, 2));
  mixed.push_back(Local(13));
  mixed.push_back(Remote(14, kPeer, 3));
  mixed.push_back(Local(15));
  Committed batch = Commit(*writer, deliveries, std::move(mixed));
  CHECK(batch.status.ok());
  CHECK(SeqsOf(batch) == std::vector<std::uint64_t>{6, 2, 7, 3, 8});

  CHECK(StoredSeqs(path, kNode) == OneTo(8));
  CHECK(StoredSeqs(path, kPeer) == OneTo(3));
}

TEST_CASE("a batch the store refuses uses no numbers: the next commit takes the first unused one",
          "[store_writer][seq]") {
  TempDir dir;
  const std::string path = dir.File("chat.db");
  Deliveries deliveries;
  auto writer = StartWriter(path, deliveries);
  REQUIRE(Commit(*writer, deliveries, {Local(1)}).status.ok());
  REQUIRE(Commit(*writer, deliveries, {Remote(2, kPeer, 1)}).status.ok());
  REQUIRE(Commit(*writer, deliveries, {Local(3)}).status.ok());

  // The peer's event number 1 again, under another id: the store fails the whole batch (a
  // skipped event would be acked but never stored), our two events with it.
  std::vector<WriteJob> refused;
  refused.push_back(Local(4));
  refused.push_back(Remote(5, kPeer, 1));
  refused.push_back(Local(6));
  Committed failed = Commit(*writer, deliveries, std::move(refused));
  REQUIRE_FALSE(failed.status.ok());
  CHECK(failed.jobs.size() == 3);  // handed back, so the gateway can answer each sender
  CHECK(StoredSeqs(path, kNode) == OneTo(2));

  Committed next = Commit(*writer, deliveries, {Local(7)});
  CHECK(next.status.ok());
  CHECK(SeqsOf(next) == std::vector<std::uint64_t>{3});
  CHECK(StoredSeqs(path, kNode) == OneTo(3));
}

TEST_CASE("a commit that fails on a full disk uses no numbers, and numbering goes on once it fits",
          "[store_writer][seq]") {
  TempDir dir;
  const std::string path = dir.File("chat.db");
  Deliveries deliveries;
  auto writer = StartWriter(path, deliveries);
  REQUIRE(Commit(*writer, deliveries, {Local(1), Local(2)}).status.ok());

  // 800 KiB of events, one batch: far more than fits under the cap below.
  std::vector<WriteJob> big;
  for (MessageId id = 10; id < 210; ++id) {
    big.push_back(Local(id));
    big.back().message.text = std::string(4096, 'z');
  }
  std::optional<Committed> failed;
  {
    DiskFull full(64 * 1024);  // the WAL cannot grow past 64 KiB while `full` lives
    REQUIRE(writer->SubmitAll(std::move(big)));
    failed = deliveries.Next(kPatience);
  }

  REQUIRE(failed.has_value());
  REQUIRE_FALSE(failed->status.ok());
  CHECK_THAT(failed->status.error().message,
             Catch::Contains("disk full") || Catch::Contains("I/O"));
  CHECK(failed->jobs.size() == 200);

  Committed next = Commit(*writer, deliveries, {Local(300), Local(301)});
  CHECK(next.status.ok());
  CHECK(SeqsOf(next) == std::vector<std::uint64_t>{3, 4});
  CHECK(StoredSeqs(path, kNode) == OneTo(4));
}

TEST_CASE("a writer started again on its file goes on from the last number it committed",
          "[store_writer][seq]") {
  TempDir dir;
  const std::string path = dir.File("chat.db");
  {
    Deliveries deliveries;
    auto writer = StartWriter(path, deliveries);
    REQUIRE(Commit(*writer, deliveries, {Local(1), Local(2), Local(3)}).status.ok());
  }
  Deliveries deliveries;
  auto writer = StartWriter(path, deliveries);
  Committed next = Commit(*writer, deliveries, {Local(4)});
  CHECK(next.status.ok());
  CHECK(SeqsOf(next) == std::vector<std::uint64_t>{4});
  CHECK(StoredSeqs(path, kNode) == OneTo(4));
}

TEST_CASE("a stopped writer commits what was queued before it stopped, then refuses more",
          "[store_writer]") {
  TempDir dir;
  const std::string path = dir.File("chat.db");
  Deliveries deliveries;
  auto writer = StartWriter(path, deliveries);
  for (MessageId id = 1; id <= 20; ++id) REQUIRE(writer->Submit(Local(id)));
  writer->Stop();
  CHECK_FALSE(writer->Submit(Local(21)));
  CHECK(StoredSeqs(path, kNode) == OneTo(20));
}

}  // namespace chatctl::relay
