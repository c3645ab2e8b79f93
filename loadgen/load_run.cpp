// The coordinator of a run (load_run.h): it splits the plan's connections over the workers, walks
// the phases on the calling thread and sums the workers' counters. It touches no connection.
#include "loadgen/load_run.h"

#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

#include "loadgen/dialect.h"
#include "loadgen/load_worker.h"

namespace chatctl::loadgen {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// With nothing answered for this long, the measurement ends and says so.
constexpr auto kStallLimit = 10s;
// After publishing, deliveries may trail; they are waited for while they keep coming.
constexpr auto kDrainQuiet = 2s;
constexpr auto kProgressEvery = 250ms;

class Coordinator {
 public:
  Coordinator(const LoadPlan& plan, const Dialect& dialect,
              const std::function<void(const LoadProgress&)>& progress)
      : plan_(plan), dialect_(dialect), progress_(progress) {}

  Result<LoadReport> Run() {
    MakeWorkers();
    for (auto& worker : workers_) worker->Start();

    auto setup_limit = 10s + std::chrono::milliseconds(2 * connections_);
    bool set_up = WaitFor("connecting", setup_limit, [&] {
      return Sum(&WorkerCounters::ready) + Sum(&WorkerCounters::setup_failures) == connections_;
    });
    if (AnyWorkerFailed()) {
      Stop();
      return WorkerFailure();
    }
    std::uint64_t failures = Sum(&WorkerCounters::setup_failures);
    if (!set_up || failures > 0) {
      std::string why = FirstError();
      Stop();
      std::uint64_t ready = connections_ - failures;
      return Error{"unavailable", std::to_string(connections_ - ready) + " of " +
                                      std::to_string(connections_) +
                                      " connections could not be set up" +
                                      (set_up ? "" : " in time") + (why.empty() ? "" : ": " + why)};
    }

    if (plan_.warmup.count() > 0 && plan_.publishers > 0) {
      SetPhase(Phase::kWarmup);
      WaitFor("warming up", plan_.warmup, [] { return false; });
    }

    LoadReport report;
    start_ns_ = NowNs();
    control_.measure_start_ns.store(start_ns_);
    SetPhase(Phase::kMeasure);
    if (plan_.publishers > 0) {
      Publish(report);
      SetPhase(Phase::kDrain);
      // Publishes already written still get their answers.
      WaitFor("draining", 5s, [&] {
        return Sum(&WorkerCounters::acked) + Sum(&WorkerCounters::refused) +
                   Sum(&WorkerCounters::lost_in_flight) >=
               Sum(&WorkerCounters::published);
      });
      report.expected = Expected();
      Drain(report.expected);
    }
    if (plan_.hold.count() > 0) {
      SetPhase(Phase::kHold);
      WaitFor("holding", plan_.hold, [] { return false; });
    }
    if (report.first_error.empty()) report.first_error = FirstError();
    Stop();
    if (AnyWorkerFailed()) return WorkerFailure();

    report.totals = Totals();
    std::int64_t last_ack = 0, last_delivery = 0;
    report.latency_by_url.resize(plan_.urls.size());
    for (auto& worker : workers_) {
      last_ack = std::max(last_ack, worker->counters().last_ack_ns.load());
      last_delivery = std::max(last_delivery, worker->counters().last_delivery_ns.load());
      for (std::size_t url = 0; url < plan_.urls.size(); ++url) {
        report.latency.Merge(worker->latency_by_url()[url]);
        report.latency_by_url[url].Merge(worker->latency_by_url()[url]);
      }
    }
    report.publish_seconds = std::max<double>(0, static_cast<double>(last_ack - start_ns_) / 1e9);
    report.deliver_seconds =
        std::max<double>(0, static_cast<double>(last_delivery - start_ns_) / 1e9);
    return report;
  }

 private:
  void MakeWorkers() {
    int threads = std::max(1, plan_.threads);
    std::vector<std::vector<ConnectionSpec>> specs(static_cast<std::size_t>(threads));
    subscribers_on_.assign(static_cast<std::size_t>(std::max(plan_.channels, 1)), 0);
    std::size_t next = 0;
    auto add = [&](ConnectionSpec spec) {
      specs[next++ % specs.size()].push_back(std::move(spec));
      ++connections_;
    };
    auto publishers = static_cast<std::uint64_t>(std::max(plan_.publishers, 0));
    for (int i = 0; i < plan_.publishers; ++i) {
      ConnectionSpec spec;
      spec.publisher = true;
      spec.channel = i % plan_.channels;
      spec.url = 0;
      spec.quota = plan_.messages / publishers +
                   (static_cast<std::uint64_t>(i) < plan_.messages % publishers ? 1 : 0);
      spec.user = plan_.user_prefix + "-p" + std::to_string(i);
      add(std::move(spec));
    }
    for (int i = 0; i < plan_.subscribers; ++i) {
      ConnectionSpec spec;
      spec.channel = i % plan_.channels;
      spec.url = static_cast<std::size_t>(i) % plan_.urls.size();
      spec.user = plan_.user_prefix + "-s" + std::to_string(i);
      ++subscribers_on_[static_cast<std::size_t>(spec.channel)];
      add(std::move(spec));
    }
    for (auto& list : specs) {
      if (list.empty()) continue;
      workers_.push_back(std::make_unique<LoadWorker>(plan_, dialect_, control_, std::move(list)));
    }
  }

  void Publish(LoadReport& report) {
    std::uint64_t answered = 0;
    auto moved = Clock::now();
    auto done = [&] {
      if (plan_.messages > 0) {
        if (Sum(&WorkerCounters::publishers_done) >= static_cast<std::uint64_t>(plan_.publishers)) {
          return true;
        }
      } else if (NowNs() - start_ns_ >= plan_.duration.count()) {
        return true;
      }
      std::uint64_t now_answered = Sum(&WorkerCounters::acked) + Sum(&WorkerCounters::refused) +
                                   Sum(&WorkerCounters::lost_in_flight);
      if (now_answered != answered) {
        answered = now_answered;
        moved = Clock::now();
      } else if (Clock::now() - moved > kStallLimit) {
        report.first_error = "the cluster stopped answering publishes for 10 s";
        return true;
      }
      return false;
    };
    WaitFor("measuring", std::chrono::hours(24 * 365), done);
  }

  void Drain(std::uint64_t expected) {
    std::uint64_t delivered = 0;
    auto moved = Clock::now();
    WaitFor("draining", std::chrono::hours(1), [&] {
      std::uint64_t now_delivered = Sum(&WorkerCounters::delivered);
      if (now_delivered >= expected) return true;
      if (now_delivered != delivered) {
        delivered = now_delivered;
        moved = Clock::now();
      }
      return Clock::now() - moved > kDrainQuiet;
    });
  }

  std::uint64_t Expected() const {
    std::uint64_t expected = 0;
    for (std::size_t channel = 0; channel < subscribers_on_.size(); ++channel) {
      std::uint64_t acked = 0;
      for (auto& worker : workers_) acked += worker->AckedOn(static_cast<int>(channel));
      expected += acked * subscribers_on_[channel];
    }
    return expected;
  }

  // Polls `done` every few milliseconds for at most `limit`, reporting progress on the way. A
  // stopped worker ends every wait at once: the run is over.
  template <class Done>
  bool WaitFor(const char* phase, std::chrono::nanoseconds limit, Done done) {
    auto start = Clock::now();
    auto next_report = start;
    while (true) {
      if (AnyWorkerFailed()) return false;
      if (done()) return true;
      auto now = Clock::now();
      if (now - start >= limit) return false;
      if (progress_ && now >= next_report) {
        LoadProgress p;
        p.phase = phase;
        p.seconds = std::chrono::duration<double>(now - start).count();
        p.totals = Totals();
        p.ready = Sum(&WorkerCounters::ready);
        p.connections = connections_;
        progress_(p);
        next_report = now + kProgressEvery;
      }
      std::this_thread::sleep_for(2ms);
    }
  }

  void SetPhase(Phase phase) {
    control_.phase.store(phase);
    for (auto& worker : workers_) worker->Wake();
  }

  void Stop() {
    control_.phase.store(Phase::kStop);
    for (auto& worker : workers_) worker->Join();
  }

  std::uint64_t Sum(std::atomic<std::uint64_t> WorkerCounters::*field) const {
    std::uint64_t sum = 0;
    for (auto& worker : workers_)
      sum += (worker->counters().*field).load(std::memory_order_relaxed);
    return sum;
  }

  LoadTotals Totals() const {
    LoadTotals t;
    t.published = Sum(&WorkerCounters::published);
    t.acked = Sum(&WorkerCounters::acked);
    t.refused = Sum(&WorkerCounters::refused);
    t.lost_in_flight = Sum(&WorkerCounters::lost_in_flight);
    t.delivered = Sum(&WorkerCounters::delivered);
    t.delivered_bytes = Sum(&WorkerCounters::delivered_bytes);
    t.errors = Sum(&WorkerCounters::errors);
    t.reconnects = Sum(&WorkerCounters::reconnects);
    return t;
  }

  bool AnyWorkerFailed() const {
    return std::any_of(workers_.begin(), workers_.end(),
                       [](const auto& worker) { return worker->failed(); });
  }

  // After Stop: every worker's thread has ended, so what it noted is all there is.
  Error WorkerFailure() const {
    for (auto& worker : workers_) {
      if (worker->failed()) {
        return Error{"internal", "a load worker stopped on an exception: " + worker->failure()};
      }
    }
    return Error{"internal", "a load worker stopped on an exception"};
  }

  std::string FirstError() const {
    for (auto& worker : workers_) {
      if (auto error = worker->first_error(); !error.empty()) return error;
    }
    return {};
  }

  const LoadPlan& plan_;
  const Dialect& dialect_;
  const std::function<void(const LoadProgress&)>& progress_;
  LoadControl control_;
  std::vector<std::unique_ptr<LoadWorker>> workers_;
  std::vector<std::uint64_t> subscribers_on_;
  std::uint64_t connections_ = 0;
  std::int64_t start_ns_ = 0;
};

Status CheckPlan(const LoadPlan& plan) {
  if (plan.urls.empty()) return Error{"bad_request", "no URL to connect to"};
  if (plan.channels < 1) return Error{"bad_request", "--channels must be at least 1"};
  return Ok{};
}

}  // namespace

Result<LoadReport> RunLoad(const LoadPlan& plan,
                           const std::function<void(const LoadProgress&)>& progress) {
  if (auto checked = CheckPlan(plan); !checked) return checked.error();
  auto dialect = MakeDialect(plan.dialect);
  if (!dialect) return dialect.error();
  return RunLoad(plan, **dialect, progress);
}

Result<LoadReport> RunLoad(const LoadPlan& plan, const Dialect& dialect,
                           const std::function<void(const LoadProgress&)>& progress) {
  if (auto checked = CheckPlan(plan); !checked) return checked.error();
  Coordinator coordinator(plan, dialect, progress);
  return coordinator.Run();
}

}  // namespace chatctl::loadgen
