// A bounded multi-producer queue that one consumer thread drains in batches. Used for the store
// writer's and the history reader's inputs, and for the gateway's inbox (where the consumer is
// woken by lws_cancel_service instead of the condition variable).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "lib/thread_annotations.h"

namespace chatctl::relay {

template <class T>
class WorkQueue {
 public:
  explicit WorkQueue(std::size_t capacity) : capacity_(capacity) {}

  // False when the queue is full or closed: the caller answers "unavailable" rather than grow.
  bool Push(T item) {
    {
      std::lock_guard lock(mu_);
      if (closed_ || items_.size() >= capacity_) return false;
      items_.push_back(std::move(item));
    }
    cv_.notify_one();
    return true;
  }

  // All or none: false when they do not all fit (or the queue is closed), and then `batch` is
  // left as it was.
  bool PushAll(std::vector<T>&& batch) {
    {
      std::lock_guard lock(mu_);
      if (closed_ || items_.size() + batch.size() > capacity_) return false;
      for (auto& item : batch) items_.push_back(std::move(item));
    }
    cv_.notify_one();
    return true;
  }

  // Pushes even past capacity; for results flowing back to the gateway, which must not be lost.
  void PushAlways(T item) {
    {
      std::lock_guard lock(mu_);
      items_.push_back(std::move(item));
    }
    cv_.notify_one();
  }

  // Blocks until there is at least one item or the queue is closed; takes up to `max` items.
  // Returns an empty vector only when closed and drained.
  std::vector<T> PopBatch(std::size_t max) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return closed_ || !items_.empty(); });
    return TakeLocked(max);
  }

  // Takes what is there without blocking.
  std::vector<T> TryPopAll() {
    std::lock_guard lock(mu_);
    return TakeLocked(items_.size());
  }

  // Consumers finish what is queued, then PopBatch returns empty.
  void Close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }

  std::size_t size() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }

 private:
  std::vector<T> TakeLocked(std::size_t max) {
    std::vector<T> out;
    std::size_t n = std::min(max, items_.size());
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      out.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    return out;
  }

  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> items_ GUARDED_BY(mu_);
  bool closed_ GUARDED_BY(mu_) = false;
};

}  // namespace chatctl::relay
