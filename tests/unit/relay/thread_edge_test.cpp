// A thread's run loop that throws ends up in the node's failure handler, not std::terminate.
#include "lib/thread_edge.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <stdexcept>

#include "relay/worker.h"

namespace chatctl::relay {
namespace {

TEST_CASE("an exception escaping a thread's body is handed to the failure handler", "[thread]") {
  std::optional<Error> seen;
  RunAtThreadEdge(
      "test", [] { throw std::runtime_error("disk on fire"); },
      [&](Error e) { seen = std::move(e); });
  REQUIRE(seen);
  CHECK(seen->code == "internal");
  CHECK(seen->message == "thread test failed: disk on fire");
  bool called = false;
  RunAtThreadEdge(
      "test", [] {}, [&](Error) { called = true; });
  CHECK_FALSE(called);
}

TEST_CASE("a worker whose job throws reports the failure and its thread ends", "[thread]") {
  auto dir = std::filesystem::temp_directory_path() /
             ("chatctl-edge-" + std::to_string(::getpid()) + "-" +
              std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "chatctl.db").string();
  {
    auto writer = Store::OpenWriter(path, Durability::kNormal);
    REQUIRE(writer.ok());
  }
  auto reader = Store::OpenReader(path);
  REQUIRE(reader.ok());

  std::promise<Error> failure;
  auto failed = failure.get_future();
  std::atomic<int> posted{0};
  Worker worker(
      "edge-test", std::move(reader.value()), 8, [&](Task) { ++posted; },
      [&](Error e) { failure.set_value(std::move(e)); });
  REQUIRE(worker.Submit([](Store&) -> Task { return Task{[] {}}; }));
  REQUIRE(worker.Submit([](Store&) -> Task { throw std::runtime_error("bad row"); }));
  REQUIRE(failed.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  Error e = failed.get();
  CHECK(e.message == "thread edge-test failed: bad row");
  worker.Stop();  // joins the ended thread
  CHECK(posted == 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace chatctl::relay
