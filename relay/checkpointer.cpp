// The checkpointer thread (see checkpointer.h).
#include "relay/checkpointer.h"

#include <string>

#include "lib/log.h"
#include "lib/thread_name.h"

namespace chatctl::relay {
namespace {
// A WAL this long (4 KiB pages: 256 MiB) means passive checkpoints are not keeping up with the
// writes; one that waits for the writer brings it back.
constexpr int kWalFramesBeforeWaiting = 65536;
}  // namespace

Checkpointer::Checkpointer(std::unique_ptr<Store> store, std::chrono::milliseconds interval,
                           ThreadFailed failed)
    : store_(std::move(store)), interval_(interval), failed_(std::move(failed)) {
  thread_ = std::thread([this] {
    NameThisThread("checkpoint");
    RunAtThreadEdge(
        "checkpoint", [this] { Run(); }, failed_);
  });
}

Checkpointer::~Checkpointer() { Stop(); }

void Checkpointer::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Checkpointer::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    lock.unlock();
    CheckpointOnce();
    lock.lock();
  }
}

void Checkpointer::CheckpointOnce() {
  auto done = store_->Checkpoint(/*wait=*/false);
  if (done.ok() && done->wal_frames > kWalFramesBeforeWaiting) {
    log::Warn("WAL is long; checkpointing with writes held",
              {{"wal_frames", std::to_string(done->wal_frames)},
               {"checkpointed", std::to_string(done->checkpointed)}});
    done = store_->Checkpoint(/*wait=*/true);
  }
  if (!done.ok()) {
    if (done.error().message != last_error_) {
      last_error_ = done.error().message;
      log::Error("checkpoint failed", {{"error", last_error_}});
    }
    return;
  }
  last_error_.clear();
  backfilled_.store(done->checkpointed, std::memory_order_relaxed);
}

}  // namespace chatctl::relay
