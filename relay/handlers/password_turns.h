// Password work (argon2id checks and hashes, tens of milliseconds and 64 MiB each) handed to the
// password worker a little at a time, in turns between client addresses. The worker's own queue is
// first come, first served: one address that opened a few hundred logins at once made every other
// login wait behind all of them. Here each address waits in its own line and holds only a few
// places, and the worker is given one job per address in turn, so a login from anywhere else waits
// behind at most a couple of checks. Gateway thread only.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <unordered_map>

namespace chatctl::relay {

class PasswordTurns {
 public:
  struct Limits {
    // Jobs on the worker at once. The worker is one thread: one at a time keeps a newcomer's wait
    // to the job running and one turn of each address ahead of it.
    std::size_t running = 1;
    std::size_t per_address = 4;  // jobs one address may have waiting
    std::size_t waiting = 256;    // jobs waiting in all
  };
  // Called when the job's turn comes: it hands the work to the worker and, once the work is done
  // (back on the gateway thread), calls `finished`. It returns false when it started nothing (the
  // connection went away while it waited, or the worker refused); it then never calls `finished`.
  using Finished = std::function<void()>;
  using Job = std::function<bool(Finished finished)>;

  explicit PasswordTurns(Limits limits) : limits_(limits) {}
  PasswordTurns() : PasswordTurns(Limits{}) {}

  // False when `address` already has its share waiting, or every place is taken: refuse at once.
  bool Add(const std::string& address, Job job);

  std::size_t running() const { return running_; }
  std::size_t waiting() const { return waiting_; }

 private:
  void StartNext();

  const Limits limits_;
  std::unordered_map<std::string, std::deque<Job>> lines_;  // address -> its jobs, oldest first
  std::deque<std::string> turns_;  // the addresses with a job waiting, next turn first
  std::size_t running_ = 0;
  std::size_t waiting_ = 0;
};

}  // namespace chatctl::relay
