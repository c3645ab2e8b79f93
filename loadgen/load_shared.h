// What the coordinator (load_run.cpp), a worker (load_worker.h) and the worker's connections
// (load_connection.h) share: the phase, the counters, who connects where, and the tallies the
// connections of one worker keep together. Who writes and who reads each is said beside it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen/dialect.h"
#include "loadgen/histogram.h"
#include "loadgen/load_plan.h"

namespace chatctl::loadgen {

enum class Phase : int { kConnecting, kWarmup, kMeasure, kDrain, kHold, kStop };

// Set by the coordinator, read by every worker.
struct LoadControl {
  std::atomic<Phase> phase{Phase::kConnecting};
  std::atomic<std::int64_t> measure_start_ns{0};  // steady clock
};

// Written by one worker, read by the coordinator while it runs.
struct alignas(64) WorkerCounters {
  std::atomic<std::uint64_t> ready{0};  // connections greeted (and subscribed)
  std::atomic<std::uint64_t> setup_failures{0};
  std::atomic<std::uint64_t> published{0};       // measured publishes written
  std::atomic<std::uint64_t> acked{0};           // measured publishes the server took
  std::atomic<std::uint64_t> refused{0};         // measured publishes answered with an error
  std::atomic<std::uint64_t> lost_in_flight{0};  // unanswered when their connection dropped
  std::atomic<std::uint64_t> delivered{0};       // measured payloads received
  std::atomic<std::uint64_t> delivered_bytes{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> reconnects{0};
  std::atomic<std::uint64_t> publishers_done{0};
  std::atomic<std::int64_t> last_ack_ns{0};
  std::atomic<std::int64_t> last_delivery_ns{0};
};

// The steady clock in nanoseconds: what payloads carry, and what their arrival is timed against.
inline std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Single writer: a plain load and store, no read-modify-write on a shared line.
inline void Bump(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

struct ConnectionSpec {
  bool publisher = false;
  int channel = 0;
  std::size_t url = 0;
  std::uint64_t quota = 0;  // measured messages to publish, when the plan counts messages
  std::string user;
};

// What the connections of one worker keep together. Owned by the worker; written on its thread.
class WorkerShared {
 public:
  WorkerShared(const LoadPlan& plan, const Dialect& dialect, const LoadControl& control);

  const LoadPlan& plan;
  const Dialect& dialect;
  const LoadControl& control;
  WorkerCounters counters;  // the coordinator reads them while the run goes on
  std::vector<std::atomic<std::uint64_t>> acked_per_channel;  // the same
  // One per URL of the plan: the subscribers on that node. The coordinator reads them only after
  // the worker's thread has ended.
  std::vector<LatencyHistogram> latency_by_url;
  std::size_t connecting = 0;  // attempts under way, paced so a big run does not flood accept()

  // Keeps the first error for the report; the coordinator reads it at any time.
  void NoteError(std::string_view what);
  std::string first_error() const;

  // Set when an exception stopped the worker, on its thread or its ticker's; the coordinator polls
  // it and then ends the run with the words kept by NoteFailure.
  std::atomic<bool> failed{false};
  void NoteFailure(std::string_view what);
  std::string failure() const;

 private:
  mutable std::mutex error_mutex_;
  std::string first_error_;  // guarded by error_mutex_
  std::string failure_;      // guarded by error_mutex_
};

}  // namespace chatctl::loadgen
