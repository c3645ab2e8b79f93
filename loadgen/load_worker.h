// One load-generator thread: one lws context and the connections it was given, publishers and
// subscribers both (load_connection.h). The thread owns every connection and the tallies they
// share; the coordinating thread only reads the counters (single writer each, relaxed) and sets
// the phase.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <libwebsockets.h>

#include "loadgen/dialect.h"
#include "loadgen/histogram.h"
#include "loadgen/load_plan.h"
#include "loadgen/load_shared.h"

namespace chatctl::loadgen {

class LoadConnection;

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

  const WorkerCounters& counters() const { return shared_.counters; }
  // Measured publishes the server took, per channel: final once publishing is over.
  std::uint64_t AckedOn(int channel) const;
  // Only after Join. One histogram per URL of the plan: the subscribers on that node.
  const std::vector<LatencyHistogram>& latency_by_url() const { return shared_.latency_by_url; }
  std::string first_error() const { return shared_.first_error(); }
  // An exception stopped this worker; the run cannot go on. failure() says what it was.
  bool failed() const { return shared_.failed.load(); }
  std::string failure() const { return shared_.failure(); }

 private:
  void Run();  // the thread's edge: catches what Serve throws
  void Serve();
  void OnTick();
  // The edge of the worker's threads: an exception stops the worker, says why, and ends the run.
  void Fail(const std::exception_ptr& caught) noexcept;
  // lws calls Callback; it catches what Dispatch throws, so that no exception unwinds through lws.
  static int Callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);
  static int Dispatch(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);

  LoadControl& control_;  // the coordinator's; the worker only reads it, but for a last kStop
  WorkerShared shared_;   // the worker's thread
  std::vector<std::unique_ptr<LoadConnection>> connections_;  // the worker's thread
  std::atomic<bool> ticking_{false};                          // the ticker thread runs while set
  // Written by the worker thread under context_mu_, which Wake() holds while it uses it.
  std::mutex context_mu_;
  lws_context* context_ = nullptr;
  lws_protocols protocols_[2]{};           // the worker's thread
  Phase seen_phase_ = Phase::kConnecting;  // the worker's thread
  std::thread thread_;
};

}  // namespace chatctl::loadgen
