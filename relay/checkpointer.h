// The checkpointer thread: copies the store's WAL into the database file on its own connection,
// so that no commit (and so no ack) waits on a checkpoint and its fsync. The writer is opened with
// automatic checkpoints off (Store::DisableAutoCheckpoint).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "lib/store.h"
#include "lib/thread_annotations.h"
#include "lib/thread_edge.h"

namespace chatctl::relay {

class Checkpointer {
 public:
  // Starts the thread, which owns `store` (from Store::OpenCheckpointer) until Stop. `failed`: the
  // thread's run loop threw; it ends and the node stops (lib/thread_edge.h).
  Checkpointer(std::unique_ptr<Store> store, std::chrono::milliseconds interval,
               ThreadFailed failed = {});
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Runs a last checkpoint and joins the thread.
  void Stop();

  // Any thread: WAL frames the last checkpoint left copied into the database.
  int backfilled_frames() const { return backfilled_.load(std::memory_order_relaxed); }

 private:
  void Run();
  void CheckpointOnce();

  std::unique_ptr<Store> store_;  // the checkpointer thread's
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::string last_error_;  // checkpointer thread: logged once until it changes
  std::atomic<int> backfilled_{0};
  const ThreadFailed failed_;
  std::thread thread_;
};

}  // namespace chatctl::relay
