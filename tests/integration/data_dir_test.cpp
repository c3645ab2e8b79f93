// One node per data directory: a second `serve` on a running node's directory stops at once
// with a clear message and exit 73, and a node killed with SIGKILL leaves no lock behind.
#include <catch2/catch.hpp>

#include <signal.h>

#include "support/process.h"

using namespace chatctl::test;

TEST_CASE("a second node on a running node's data directory exits 73 naming the holder",
          "[serve][data]") {
  TempDir dir;
  Node first(dir.path());
  auto second = RunChatctl({"serve", "--listen", "127.0.0.1:0", "--data", dir.path()}, "", 15s);
  CHECK(second.exit_code == 73);
  CHECK(second.err.find("data directory " + dir.path() + " is in use by process " +
                        std::to_string(first.process().pid())) != std::string::npos);
  // The first node is untouched: it still takes and stores messages.
  auto sent = RunChatctl({"send", "-u", first.url(), "--as", "alice", "-c", "ops", "still here"});
  CHECK(sent.exit_code == 0);
}

TEST_CASE("a node killed with SIGKILL leaves no lock: the next start on its directory works",
          "[serve][data]") {
  TempDir dir;
  Node node(dir.path());
  REQUIRE(
      RunChatctl({"send", "-u", node.url(), "--as", "alice", "-c", "ops", "before"}).exit_code ==
      0);
  node.Kill(SIGKILL);
  REQUIRE(node.Wait(10s).has_value());
  node.Restart();
  auto tail = RunChatctl({"tail", "-u", node.url(), "--as", "bob", "-c", "ops", "-n", "10"});
  CHECK(tail.exit_code == 0);
  CHECK(tail.out.find("before") != std::string::npos);
}
