// The gateway's worker thread (see worker.h).
#include "relay/worker.h"

#include "lib/thread_name.h"

namespace chatctl::relay {

Worker::Worker(const char* name, std::unique_ptr<Store> store, std::size_t queue_capacity,
               PostTask post, ThreadFailed failed)
    : store_(std::move(store)),
      queue_(queue_capacity),
      post_(std::move(post)),
      failed_(std::move(failed)) {
  thread_ = std::thread([this, name] {
    NameThisThread(name);
    RunAtThreadEdge(
        name, [this] { Run(); }, failed_);
  });
}

Worker::~Worker() { Stop(); }

void Worker::Stop() {
  queue_.Close();
  if (thread_.joinable()) thread_.join();
}

void Worker::Run() {
  for (;;) {
    std::vector<Job> jobs = queue_.PopBatch(16);
    if (jobs.empty()) return;  // closed and drained
    for (auto& job : jobs) {
      if (Task task = job(*store_); task.run) post_(std::move(task));
    }
  }
}

}  // namespace chatctl::relay
