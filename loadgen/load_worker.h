// One load-generator thread: one lws context and the connections it was given, publishers and
// subscribers both. The thread owns every connection and its histogram; the coordinating thread
// only reads the counters (single writer each, relaxed) and sets the phase.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <libwebsockets.h>

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

struct ConnectionSpec {
  bool publisher = false;
  int channel = 0;
  std::size_t url = 0;
  std::uint64_t quota = 0;  // measured messages to publish, when the plan counts messages
  std::string user;
};

class LoadWorker {
 public:
  LoadWorker(const LoadPlan& plan, const Dialect& dialect, LoadControl& control,
             std::vector<ConnectionSpec> connections);
  ~LoadWorker();
  LoadWorker(const LoadWorker&) = delete;
  LoadWorker& operator=(const LoadWorker&) = delete;

  void Start();
  // Wakes the thread to see a new phase at once rather than at its next tick.
  void Wake();
  void Join();  // once the control's phase is kStop

  const WorkerCounters& counters() const { return counters_; }
  // Measured publishes the server took, per channel: final once publishing is over.
  std::uint64_t AckedOn(int channel) const;
  // Only after Join. One histogram per URL of the plan: the subscribers on that node.
  const std::vector<LatencyHistogram>& latency_by_url() const { return latency_by_url_; }
  std::string first_error() const;

 private:
  struct Connection;  // load_worker.cpp: one WebSocket and its conversation

  void Run();
  void OnTick();
  void Connect(Connection& connection);
  void NoteError(std::string_view what);
  static int Callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);

  const LoadPlan& plan_;
  const Dialect& dialect_;
  LoadControl& control_;
  WorkerCounters counters_;
  std::vector<std::atomic<std::uint64_t>> acked_per_channel_;
  std::vector<LatencyHistogram> latency_by_url_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::atomic<bool> ticking_{false};  // the ticker thread runs while set
  // Written by the worker thread under context_mu_, which Wake() holds while it uses it.
  std::mutex context_mu_;
  lws_context* context_ = nullptr;
  lws_protocols protocols_[2]{};
  Phase seen_phase_ = Phase::kConnecting;
  std::size_t connecting_ = 0;  // attempts under way, paced so a big run does not flood accept()
  std::thread thread_;
  mutable std::mutex error_mutex_;
  std::string first_error_;
};

}  // namespace chatctl::loadgen
