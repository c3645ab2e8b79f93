// The store writer thread: the only writer of the node's SQLite file. It drains its queue in
// batches, commits each batch in one transaction (group commit: the busier the node, the bigger the
// batch), and hands the result to the gateway, which acks and fans out only what is durable.
#pragma once

#include <functional>
#include <memory>
#include <thread>

#include "lib/store.h"
#include "lib/thread_edge.h"
#include "relay/checkpointer.h"
#include "relay/events.h"
#include "relay/work_queue.h"

namespace chatctl::relay {

class StoreWriter {
 public:
  using Deliver = std::function<void(Committed)>;  // called on the writer thread
  // Events this node originates (origin == node_id, seq 0) are numbered here, at commit, so a
  // failed commit leaves no hole in the sequence.
  // With a checkpointer, `store` has auto-checkpoint off and the writer restarts the WAL (below).
  // `failed`: the thread's run loop threw; it ends and the node stops (lib/thread_edge.h).
  static Result<std::unique_ptr<StoreWriter>> Start(std::unique_ptr<Store> store, unsigned node_id,
                                                    std::size_t queue_capacity, Deliver deliver,
                                                    const Checkpointer* checkpointer = nullptr,
                                                    ThreadFailed failed = {});
  ~StoreWriter();  // finishes what is queued, then joins

  // Any thread. False when the queue is full: the caller answers `unavailable`.
  bool Submit(WriteJob job) { return queue_.Push(std::move(job)); }
  // Any thread: all of them or, when they do not fit, none.
  bool SubmitAll(std::vector<WriteJob>&& jobs) { return queue_.PushAll(std::move(jobs)); }
  void Stop();

 private:
  StoreWriter(std::unique_ptr<Store> store, unsigned node_id, std::uint64_t head_seq,
              std::size_t queue_capacity, Deliver deliver, const Checkpointer* checkpointer,
              ThreadFailed failed);
  void Run();
  void MaybeRestartWal();
  void ReadBackState(std::vector<WriteJob>& jobs);

  std::unique_ptr<Store> store_;  // owned by the writer thread once started
  const unsigned node_id_;
  std::uint64_t head_seq_;  // writer thread: the last seq committed for node_id_
  WorkQueue<WriteJob> queue_;
  Deliver deliver_;
  const Checkpointer* checkpointer_;
  const ThreadFailed failed_;
  std::thread thread_;
};

}  // namespace chatctl::relay
