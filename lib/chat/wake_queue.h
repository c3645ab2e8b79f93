// A queue from other threads to a thread that sleeps in poll(): Push appends under a lock and
// writes a byte to a pipe whose read end the consumer polls beside its other descriptors (the chat
// UI polls it beside stdin). Any thread may Push; one thread takes. The pipe is non-blocking on
// both ends: a full pipe already means "wake up", so a failed write loses nothing.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <deque>
#include <mutex>
#include <utility>

#include "lib/thread_annotations.h"

namespace chatctl::chat {

template <class T>
class WakeQueue {
 public:
  WakeQueue() {
    if (pipe(fds_) == 0) {
      for (int fd : fds_) {
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        fcntl(fd, F_SETFD, FD_CLOEXEC);
      }
    }
  }
  ~WakeQueue() {
    for (int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }
  WakeQueue(const WakeQueue&) = delete;
  WakeQueue& operator=(const WakeQueue&) = delete;

  // The descriptor to poll for POLLIN.
  int fd() const { return fds_[0]; }

  void Push(T item) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      items_.push_back(std::move(item));
    }
    char byte = 1;
    [[maybe_unused]] auto written = write(fds_[1], &byte, 1);
  }

  // Everything queued, oldest first; empties the pipe too.
  std::deque<T> TakeAll() {
    char buffer[256];
    while (read(fds_[0], buffer, sizeof buffer) > 0) {
    }
    std::lock_guard<std::mutex> lock(mutex_);
    return std::exchange(items_, {});
  }

 private:
  int fds_[2] = {-1, -1};
  std::mutex mutex_;
  std::deque<T> items_ GUARDED_BY(mutex_);
};

}  // namespace chatctl::chat
