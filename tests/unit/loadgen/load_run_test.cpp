// A run whose worker thread meets an exception: the run ends with an error that says what it was,
// rather than the exception reaching std::terminate. A dialect that throws where the worker's
// thread calls it (Dialect is the real interface) stands in for any bug on that thread; its URL
// refuses connections, so no server is needed.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>

#include "loadgen/dialect.h"
#include "loadgen/load_run.h"

namespace {

using namespace chatctl;
using namespace chatctl::loadgen;

// chatctl's own dialect, but its conversations are refused with an exception after `good` of them.
class ThrowingDialect final : public Dialect {
 public:
  explicit ThrowingDialect(int good)
      : real_(std::move(MakeDialect("chatctl").value())), good_(good) {}

  const char* name() const override { return "throwing"; }
  const char* subprotocol() const override { return real_->subprotocol(); }
  bool binary_frames() const override { return real_->binary_frames(); }
  bool acks_each_publish() const override { return real_->acks_each_publish(); }
  std::unique_ptr<Conversation> NewConversation() const override {
    if (made_++ >= good_) throw std::runtime_error("the test's dialect refuses a conversation");
    return real_->NewConversation();
  }

 private:
  std::unique_ptr<Dialect> real_;
  int good_;
  mutable std::atomic<int> made_{0};
};

// One subscriber, on one thread, against a port where nothing listens.
LoadPlan PlanAgainstAClosedPort() {
  LoadPlan plan;
  plan.urls = {ParseWsUrl("ws://127.0.0.1:1/").value()};
  plan.publishers = 0;
  plan.subscribers = 1;
  plan.threads = 1;
  return plan;
}

void RequireTheRunEndsWithTheException(const ThrowingDialect& dialect) {
  auto start = std::chrono::steady_clock::now();
  auto report = RunLoad(PlanAgainstAClosedPort(), dialect, {});
  REQUIRE_FALSE(report.ok());
  CHECK(report.error().code == "internal");
  CHECK_THAT(report.error().message, Catch::Contains("the test's dialect refuses a conversation"));
  // Not the setup's time limit (10 s): the run ended because the worker stopped.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

}  // namespace

TEST_CASE("an exception as a load worker starts ends the run with an error that names it",
          "[loadgen]") {
  RequireTheRunEndsWithTheException(ThrowingDialect(0));
}

TEST_CASE(
    "an exception inside a load worker's lws callback ends the run with an error that names it",
    "[loadgen]") {
  // The first attempt is refused by the closed port; the retry, 250 ms later, starts from the lws
  // loop's tick callback and throws there. That the callback itself catches (lws is C, and must not
  // be unwound through) cannot be seen from here: on this platform an exception happens to unwind
  // through lws to the thread's own edge. What this shows is that the run ends either way.
  RequireTheRunEndsWithTheException(ThrowingDialect(1));
}
