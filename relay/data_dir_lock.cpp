// The data directory's lock (see data_dir_lock.h).
#include "relay/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace chatctl::relay {
namespace {

constexpr const char* kLockFileName = "chatctl.lock";

// What the holder wrote into the file: its PID, or empty if it has not written it yet.
std::string ReadHolder(int fd) {
  char buf[32] = {0};
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  std::string pid(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid;
}

}  // namespace

Result<DataDirLock> DataDirLock::Acquire(const std::string& data_dir) {
  std::string path = (std::filesystem::path(data_dir) / kLockFileName).string();
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Error{"unavailable", "cannot open " + path + ": " + std::strerror(errno)};
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string holder = err == EWOULDBLOCK ? ReadHolder(fd) : std::string();
    close(fd);
    if (err != EWOULDBLOCK) {
      return Error{"unavailable", "cannot lock " + path + ": " + std::strerror(err)};
    }
    return Error{"locked", "data directory " + data_dir + " is in use by process " +
                               (holder.empty() ? std::string("(unknown)") : holder)};
  }
  std::string pid = std::to_string(getpid()) + "\n";
  // The PID is for people reading the error; a failure to write it does not stop the node.
  if (ftruncate(fd, 0) == 0) {
    [[maybe_unused]] ssize_t written = pwrite(fd, pid.data(), pid.size(), 0);
  }
  return DataDirLock(fd);
}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) close(fd_);  // closing the descriptor releases the flock
}

}  // namespace chatctl::relay
