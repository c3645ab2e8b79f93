// The gateway's worker thread (see worker.h).
#include "relay/worker.h"

#include "lib/thread_name.h"

namespace chatctl::relay {

Worker::Worker(const char* name, std::unique_ptr<Store> store, std::size_t queue_capacity,
               Deliver deliver)
    : store_(std::move(store)), queue_(queue_capacity), deliver_(std::move(deliver)) {
  thread_ = std::thread([this, name] {
    NameThisThread(name);
    Run();
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
      if (Then then = job(*store_)) deliver_(std::move(then));
    }
  }
}

}  // namespace chatctl::relay
