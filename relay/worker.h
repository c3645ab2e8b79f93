// A worker thread for the gateway's slow errands: reads the admin API and moderation checks need
// (users, channel counts, a message's author) and password hashing (argon2id takes tens of
// milliseconds on purpose). The gateway hands it a job; the job runs here with the worker's own
// read-only store connection and returns what the gateway should do next, which is posted back to
// the gateway thread. Nothing a job touches is shared: it captures values, never gateway state.
#pragma once

#include <functional>
#include <memory>
#include <thread>

#include "lib/store.h"
#include "relay/work_queue.h"

namespace chatctl::relay {

class Worker {
 public:
  using Then = std::function<void()>;             // runs on the gateway thread
  using Job = std::function<Then(Store& store)>;  // runs on the worker thread
  using Deliver = std::function<void(Then)>;      // posts to the gateway
  // `name`: the thread's, for top and perf (a string literal).
  Worker(const char* name, std::unique_ptr<Store> store, std::size_t queue_capacity,
         Deliver deliver);
  ~Worker();  // finishes what is queued, then joins

  // Any thread. False when the queue is full: the caller answers `unavailable`.
  bool Submit(Job job) { return queue_.Push(std::move(job)); }
  void Stop();

 private:
  void Run();

  std::unique_ptr<Store> store_;  // owned by the worker thread once started
  WorkQueue<Job> queue_;
  Deliver deliver_;
  std::thread thread_;
};

}  // namespace chatctl::relay
