// The history reader thread: answers `join` replays and `history` pages from its own read-only
// SQLite connection, so a slow read never stalls the gateway's event loop or the writer.
#pragma once

#include <functional>
#include <memory>
#include <thread>

#include "lib/store.h"
#include "lib/thread_edge.h"
#include "relay/events.h"
#include "relay/work_queue.h"

namespace chatctl::relay {

class HistoryReader {
 public:
  using Deliver = std::function<void(ReadDone)>;  // called on the reader thread
  // `failed`: the thread's run loop threw; it ends and the node stops (lib/thread_edge.h).
  HistoryReader(std::unique_ptr<Store> store, std::size_t queue_capacity, Deliver deliver,
                ThreadFailed failed = {});
  ~HistoryReader();

  // Any thread. False when the queue is full: the caller answers `unavailable`.
  bool Submit(ReadJob job) { return queue_.Push(std::move(job)); }
  void Stop();

 private:
  void Run();
  Result<Page> Read(const ReadJob& job);
  // A join's replay and the heads it is exact against, from one read transaction.
  void ReadJoin(ReadDone& done);

  std::unique_ptr<Store> store_;  // owned by the reader thread once started
  WorkQueue<ReadJob> queue_;
  Deliver deliver_;
  const ThreadFailed failed_;
  std::thread thread_;
};

}  // namespace chatctl::relay
