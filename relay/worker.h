// A worker thread for the gateway's slow jobs: reads the admin API and moderation checks need
// (users, channel counts, a message's author) and password hashing (argon2id takes tens of
// milliseconds on purpose). The gateway hands it a job; the job runs here with the worker's own
// read-only store connection and returns the Task the gateway should run next, which is posted
// back to the gateway thread.
//
// Ownership: a job runs on the worker thread and captures values only. The Task it returns may
// capture the gateway (`this`): it is carried across but only ever run on the gateway thread.
// Ask() keeps the two apart by construction.
#pragma once

#include <functional>
#include <memory>
#include <thread>

#include "lib/store.h"
#include "lib/thread_edge.h"
#include "relay/events.h"
#include "relay/work_queue.h"

namespace chatctl::relay {

class Worker {
 public:
  using Job = std::function<Task(Store& store)>;  // runs on the worker thread
  using PostTask = std::function<void(Task)>;     // hands a Task to the gateway thread
  // `name`: the thread's, for top and perf (a string literal). `failed`: a job threw; the thread
  // ends and the node stops (lib/thread_edge.h).
  Worker(const char* name, std::unique_ptr<Store> store, std::size_t queue_capacity, PostTask post,
         ThreadFailed failed = {});
  ~Worker();  // finishes what is queued, then joins

  // Any thread. False when the queue is full: the caller answers `unavailable`.
  bool Submit(Job job) { return queue_.Push(std::move(job)); }

  // Any thread: `read` runs here on the worker's store and must capture values only; `then`
  // runs on the gateway thread with what it returned. False when the queue is full.
  template <class R>
  bool Ask(std::function<R(Store&)> read, std::function<void(R)> then) {
    return Submit([read = std::move(read), then = std::move(then)](Store& store) mutable {
      return Task{
          [then = std::move(then), result = read(store)]() mutable { then(std::move(result)); }};
    });
  }

  void Stop();

 private:
  void Run();

  std::unique_ptr<Store> store_;  // the worker thread's once started
  WorkQueue<Job> queue_;
  const PostTask post_;
  const ThreadFailed failed_;
  std::thread thread_;
};

}  // namespace chatctl::relay
