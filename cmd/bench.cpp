// `chatctl bench`: a load generator for a chatctl cluster (and, for side-by-side figures, a NATS
// server or an MQTT broker over WebSocket). Main's thread parses flags, coordinates the run and
// prints; the connections live on --threads worker threads (loadgen/).
#include <sys/resource.h>
#include <unistd.h>

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cmd/client_options.h"
#include "cmd/command.h"
#include "cmd/exit_codes.h"
#include "loadgen/load_run.h"

namespace chatctl::cmd {
namespace {

using loadgen::LoadPlan;
using loadgen::LoadProgress;
using loadgen::LoadReport;

struct BenchOptions {
  ClientOptions client;
  std::string protocol = "chatctl";
  int subs = 50;
  int pubs = 1;
  int channels = 1;
  std::optional<std::uint64_t> msgs;
  std::string duration, warmup = "0s", hold = "0s";
  double rate = 0;
  int window = 100;
  std::size_t size = 64;
  int threads = 2;
  bool json = false;
};

// "250ms", "10s", "1.5s", "2m"; nullopt when it is none of those.
std::optional<std::chrono::nanoseconds> ParseDuration(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[digits])) != 0 || text[digits] == '.')) {
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  double value = 0;
  try {
    value = std::stod(text.substr(0, digits));
  } catch (...) {
    return std::nullopt;
  }
  std::string unit = text.substr(digits);
  double scale = unit == "ms" ? 1e6 : unit == "s" ? 1e9 : unit == "m" ? 60e9 : 0;
  if (scale == 0 || value < 0 || value > 86400) return std::nullopt;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(value * scale));
}

// 1234567 -> "1,234,567": figures people read off a terminal.
std::string Grouped(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string Millis(std::uint64_t nanos) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f ms", static_cast<double>(nanos) / 1e6);
  return text;
}

double PerSecond(std::uint64_t count, double seconds) {
  return seconds > 0 ? static_cast<double>(count) / seconds : 0;
}

void RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// The live line on a terminal: this phase, and rates since the previous line.
class ProgressLine {
 public:
  void operator()(const LoadProgress& p) {
    double dt = p.seconds - last_seconds_;
    bool same_phase = last_phase_ == p.phase && dt > 0;
    double deliveries =
        same_phase ? static_cast<double>(p.totals.delivered - last_.delivered) / dt : 0;
    double acks = same_phase ? static_cast<double>(p.totals.acked - last_.acked) / dt : 0;
    std::fprintf(stderr,
                 "\r\033[K%-11s %5.1fs  connected %s/%s  acked %s (%s/s)  delivered %s (%s/s)",
                 p.phase, p.seconds, Grouped(p.ready).c_str(), Grouped(p.connections).c_str(),
                 Grouped(p.totals.acked).c_str(), Grouped(static_cast<std::uint64_t>(acks)).c_str(),
                 Grouped(p.totals.delivered).c_str(),
                 Grouped(static_cast<std::uint64_t>(deliveries)).c_str());
    std::fflush(stderr);
    last_phase_ = p.phase;
    last_seconds_ = p.seconds;
    last_ = p.totals;
    shown_ = true;
  }
  void Clear() const {
    if (shown_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  const char* last_phase_ = "";
  double last_seconds_ = 0;
  loadgen::LoadTotals last_;
  bool shown_ = false;
};

void PrintHuman(const BenchOptions& o, const LoadPlan& plan, const LoadReport& r) {
  const auto& t = r.totals;
  std::string what =
      plan.messages > 0 ? Grouped(plan.messages) + " messages" : o.duration + " of publishing";
  std::printf(
      "chatctl bench: %s, %d publisher%s, %d subscriber%s, %d channel%s, %zu B, %s, %s\n",
      plan.dialect.c_str(), plan.publishers, plan.publishers == 1 ? "" : "s", plan.subscribers,
      plan.subscribers == 1 ? "" : "s", plan.channels, plan.channels == 1 ? "" : "s",
      std::max(plan.size, loadgen::kPayloadHeader), what.c_str(),
      plan.rate > 0 ? ("rate " + Grouped(static_cast<std::uint64_t>(plan.rate)) + "/s").c_str()
                    : ("window " + std::to_string(plan.window)).c_str());
  if (plan.publishers > 0) {
    std::printf("  published  %s in %.3f s: %s acks/s (refused %s, unanswered %s)\n",
                Grouped(t.acked).c_str(), r.publish_seconds,
                Grouped(static_cast<std::uint64_t>(PerSecond(t.acked, r.publish_seconds))).c_str(),
                Grouped(t.refused).c_str(), Grouped(t.lost_in_flight).c_str());
    std::printf(
        "  delivered  %s in %.3f s: %s deliveries/s, %.1f MB/s\n", Grouped(t.delivered).c_str(),
        r.deliver_seconds,
        Grouped(static_cast<std::uint64_t>(PerSecond(t.delivered, r.deliver_seconds))).c_str(),
        PerSecond(t.delivered_bytes, r.deliver_seconds) / 1e6);
    auto print_latency = [](const char* label, const loadgen::LatencyHistogram& h) {
      std::printf("  %-10s p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n", label,
                  Millis(h.Percentile(50)).c_str(), Millis(h.Percentile(90)).c_str(),
                  Millis(h.Percentile(99)).c_str(), Millis(h.Percentile(99.9)).c_str(),
                  Millis(h.max()).c_str());
    };
    print_latency("latency", r.latency);
    if (plan.urls.size() > 1) {  // subscribers on the publishers' node, then on the others
      for (std::size_t url = 0; url < plan.urls.size(); ++url) {
        std::printf("    at %s (%s deliveries)\n", plan.urls[url].ToString().c_str(),
                    Grouped(r.latency_by_url[url].count()).c_str());
        print_latency("", r.latency_by_url[url]);
      }
    }
    std::printf("  loss       %" PRId64 " (expected %s, received %s)\n", r.loss(),
                Grouped(r.expected).c_str(), Grouped(t.delivered).c_str());
  }
  std::printf("  errors     %s  reconnects %s%s%s\n", Grouped(t.errors).c_str(),
              Grouped(t.reconnects).c_str(),
              r.first_error.empty() ? "" : "  first: ", r.first_error.c_str());
}

void PrintJson(const LoadPlan& plan, const LoadReport& r) {
  const auto& t = r.totals;
  auto us = [](std::uint64_t nanos) {
    return std::round(static_cast<double>(nanos) / 10.0) / 100.0;
  };
  nlohmann::ordered_json j;
  j["protocol"] = plan.dialect;
  nlohmann::json urls = nlohmann::json::array();
  for (const auto& url : plan.urls) urls.push_back(url.ToString());
  j["urls"] = urls;
  j["publishers"] = plan.publishers;
  j["subscribers"] = plan.subscribers;
  j["channels"] = plan.channels;
  j["size"] = std::max(plan.size, loadgen::kPayloadHeader);
  j["rate"] = plan.rate;
  j["window"] = plan.window;
  j["threads"] = plan.threads;
  j["published"] = t.published;
  j["acked"] = t.acked;
  j["refused"] = t.refused;
  j["unanswered"] = t.lost_in_flight;
  j["publish_seconds"] = r.publish_seconds;
  j["acks_per_second"] = PerSecond(t.acked, r.publish_seconds);
  j["delivered"] = t.delivered;
  j["expected"] = r.expected;
  j["loss"] = r.loss();
  j["deliver_seconds"] = r.deliver_seconds;
  j["deliveries_per_second"] = PerSecond(t.delivered, r.deliver_seconds);
  j["mb_per_second"] = PerSecond(t.delivered_bytes, r.deliver_seconds) / 1e6;
  auto percentiles = [&us](const loadgen::LatencyHistogram& h) {
    return nlohmann::ordered_json{{"p50", us(h.Percentile(50))}, {"p90", us(h.Percentile(90))},
                                  {"p99", us(h.Percentile(99))}, {"p99_9", us(h.Percentile(99.9))},
                                  {"max", us(h.max())},          {"count", h.count()}};
  };
  j["latency_us"] = percentiles(r.latency);
  // Per URL, in the order of -u: the first is the publishers' node.
  nlohmann::ordered_json by_url = nlohmann::ordered_json::array();
  for (std::size_t url = 0; url < plan.urls.size(); ++url) {
    auto entry = percentiles(r.latency_by_url[url]);
    entry["url"] = plan.urls[url].ToString();
    by_url.push_back(entry);
  }
  j["latency_by_url_us"] = by_url;
  j["errors"] = t.errors;
  j["reconnects"] = t.reconnects;
  j["first_error"] = r.first_error;
  std::printf("%s\n", j.dump().c_str());
}

int Run(BenchOptions& o) {
  ResolveClientOptions(o.client);
  auto usage = [](const std::string& why) {
    std::fprintf(stderr, "chatctl: bench: %s\n", why.c_str());
    return kExitUsage;
  };
  LoadPlan plan;
  auto urls = ParseWsUrlList(o.client.url);
  if (!urls) return usage(urls.error().message);
  plan.urls = *urls;
  plan.dialect = o.protocol;
  plan.token = o.client.token;
  plan.user_prefix = o.client.as_user;
  plan.publishers = o.pubs;
  plan.subscribers = o.subs;
  plan.channels = o.channels;
  plan.rate = o.rate;
  plan.window = o.window;
  plan.size = o.size;
  plan.threads = o.threads;
  if (o.size < loadgen::kPayloadHeader) {
    return usage("--size must be at least 21: a payload carries its publish time");
  }
  if (!o.duration.empty()) {
    if (o.msgs) return usage("give --msgs or --duration, not both");
    auto d = ParseDuration(o.duration);
    if (!d || d->count() == 0) return usage("invalid --duration '" + o.duration + "' (e.g. 10s)");
    plan.duration = *d;
  } else {
    plan.messages = o.msgs.value_or(100000);
  }
  auto warmup = ParseDuration(o.warmup);
  if (!warmup) return usage("invalid --warmup '" + o.warmup + "' (e.g. 2s)");
  plan.warmup = *warmup;
  auto hold = ParseDuration(o.hold);
  if (!hold) return usage("invalid --hold '" + o.hold + "' (e.g. 30s)");
  plan.hold = *hold;
  if (plan.publishers > 0 && plan.messages == 0 && plan.duration.count() == 0) {
    return usage("--msgs 0 publishes nothing; use --pubs 0 for connections that only listen");
  }
  RaiseFileLimit();

  ProgressLine line;
  bool live = !o.json && isatty(STDERR_FILENO) != 0;
  std::function<void(const LoadProgress&)> progress;
  if (live) progress = [&line](const LoadProgress& p) { line(p); };
  auto report = loadgen::RunLoad(plan, progress);
  if (live) line.Clear();
  if (!report) {
    std::fprintf(stderr, "chatctl: bench: %s: %s\n", report.error().code.c_str(),
                 report.error().message.c_str());
    if (report.error().code == "unavailable") return kExitUnavailable;
    return report.error().code == "bad_request" ? kExitUsage : kExitFailed;
  }
  if (o.json) {
    PrintJson(plan, *report);
  } else {
    PrintHuman(o, plan, *report);
  }
  const auto& t = report->totals;
  bool clean = report->loss() == 0 && t.errors == 0 && t.refused == 0 && t.lost_in_flight == 0 &&
               report->first_error.empty();
  return clean ? kExitOk : kExitFailed;
}

}  // namespace

Command SetupBench(CLI::App& parent) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* app = parent.add_subcommand(
      "bench", "Load a cluster: publishers and subscribers, throughput, latency and loss");
  AddClientOptions(*app, o->client);
  app->get_option("--as")->description(
      "Open mode: user names are PREFIX-p0.. and PREFIX-s0.. (default: your login name)");
  app->get_option("-u")->description(
      "Publishers connect to the first URL; subscribers are spread over all of them "
      "(env CHATCTL_URL; default ws://127.0.0.1:7447)");
  app->add_option("--protocol", o->protocol, "chatctl, or nats / mqtt to measure those peers")
      ->check(CLI::IsMember({"chatctl", "nats", "mqtt"}))
      ->capture_default_str();
  app->add_option("--subs", o->subs, "Subscriber connections")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  app->add_option("--pubs", o->pubs, "Publisher connections")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  app->add_option("--channels", o->channels, "Channels bench-0..; connection i uses i % C")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app->add_option("--msgs", o->msgs, "Messages to publish in all (default 100000)");
  app->add_option("--duration", o->duration, "Publish for this long instead (e.g. 10s)");
  app->add_option("--rate", o->rate, "Messages per second in all; 0: as fast as acks allow")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  app->add_option("--window", o->window, "Unacknowledged messages per publisher")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app->add_option("--size", o->size, "Payload bytes (at least 21)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20))
      ->capture_default_str();
  app->add_option("--warmup", o->warmup, "Publish this long before measuring (e.g. 2s)")
      ->capture_default_str();
  app->add_option("--hold", o->hold, "Keep every connection open this long after the run")
      ->capture_default_str();
  app->add_option("--threads", o->threads, "Client threads, one libwebsockets context each")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app->add_flag("--json", o->json, "Print one JSON object instead of the report");
  return {app, [o] { return Run(*o); }};
}

}  // namespace chatctl::cmd
