// Runs a LoadPlan: starts the worker threads, walks the phases (connect, warm up, measure, drain,
// hold) and sums what the workers saw. The calling thread coordinates and reports progress.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "lib/result.h"
#include "loadgen/dialect.h"
#include "loadgen/histogram.h"
#include "loadgen/load_plan.h"

namespace chatctl::loadgen {

struct LoadTotals {
  std::uint64_t published = 0;  // measured publishes written
  std::uint64_t acked = 0;
  std::uint64_t refused = 0;
  std::uint64_t lost_in_flight = 0;
  std::uint64_t delivered = 0;
  std::uint64_t delivered_bytes = 0;
  std::uint64_t errors = 0;
  std::uint64_t reconnects = 0;
};

struct LoadReport {
  LoadTotals totals;
  std::uint64_t expected = 0;  // acked publishes times the subscribers of their channel
  double publish_seconds = 0;  // from the measurement's start to the last answered publish
  double deliver_seconds = 0;  // from the measurement's start to the last delivery
  LatencyHistogram latency;    // publish to delivery, nanoseconds
  // The same, for the subscribers on each URL of the plan (cross-node latency on a mesh).
  std::vector<LatencyHistogram> latency_by_url;
  std::string first_error;

  std::int64_t loss() const {
    return static_cast<std::int64_t>(expected) - static_cast<std::int64_t>(totals.delivered);
  }
};

struct LoadProgress {
  const char* phase = "";
  double seconds = 0;  // in this phase
  LoadTotals totals;
  std::uint64_t ready = 0, connections = 0;
};

// Fails when the connections cannot be set up (every one is tried a few times), when the cluster
// stops answering for long, or with code "internal" when an exception stopped a worker thread;
// otherwise reports, losses and errors included.
Result<LoadReport> RunLoad(const LoadPlan& plan,
                           const std::function<void(const LoadProgress&)>& progress);
// The same with a dialect of the caller's; plan.dialect is not read.
Result<LoadReport> RunLoad(const LoadPlan& plan, const Dialect& dialect,
                           const std::function<void(const LoadProgress&)>& progress);

}  // namespace chatctl::loadgen
