// One node per data directory: the node holds an exclusive lock on DATA/chatctl.lock for as long
// as it runs, so a second `serve` on the same directory (an operator's typo) stops at once instead
// of writing the same SQLite file with the same node id and handing out the same ids.
//
// flock(2) is released by the kernel when the process dies however it dies (SIGKILL included), so
// a stale lock file never keeps a restarted node out. The file holds the holder's PID, for the
// error message only. Owned by RunNode's thread for the node's life; not thread-shared.
#pragma once

#include <string>

#include "lib/result.h"

namespace chatctl::relay {

class DataDirLock {
 public:
  // The error's code is "locked" when another process holds the directory ("data directory D is
  // in use by process P"); "unavailable" when the lock file cannot be opened.
  static Result<DataDirLock> Acquire(const std::string& data_dir);

  DataDirLock(DataDirLock&& other) noexcept;
  DataDirLock& operator=(DataDirLock&&) = delete;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  ~DataDirLock();  // releases the lock

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace chatctl::relay
