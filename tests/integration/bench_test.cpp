// `chatctl bench` against real nodes: its counts must add up, and a bad plan is a usage error.
#include <catch2/catch.hpp>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "support/process.h"

using namespace chatctl::test;
using nlohmann::json;

namespace {

json BenchJson(const std::vector<std::string>& args, RunResult& run) {
  std::vector<std::string> argv = {"bench", "--json"};
  argv.insert(argv.end(), args.begin(), args.end());
  run = RunChatctl(argv, "", 60s);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  return json::parse(run.out);
}

}  // namespace

TEST_CASE("bench on one node delivers every message to every subscriber", "[bench]") {
  TempDir dir;
  Node node(dir.path(), {"--rate-limit", "0"});
  RunResult run;
  json r = BenchJson({"-u", node.url(), "--subs", "5", "--pubs", "2", "--channels", "1", "--msgs",
                      "2000", "--threads", "2"},
                     run);
  CHECK(r["published"] == 2000);
  CHECK(r["acked"] == 2000);
  CHECK(r["expected"] == 10000);
  CHECK(r["delivered"] == 10000);
  CHECK(r["loss"] == 0);
  CHECK(r["errors"] == 0);
  CHECK(r["latency_us"]["count"] == 10000);
  CHECK(r["latency_us"]["p50"].get<double>() > 0);
  CHECK(r["latency_us"]["p50"].get<double>() <= r["latency_us"]["p99"].get<double>());
  CHECK(r["deliveries_per_second"].get<double>() > 0);

  // Every acked message is in the node's history: read the newest back.
  auto tail = RunChatctl({"tail", "-u", node.url(), "-c", "bench-0", "-n", "3", "--json"});
  REQUIRE(tail.exit_code == 0);
  CHECK(std::count(tail.out.begin(), tail.out.end(), '\n') == 3);
}

TEST_CASE("bench across two meshed nodes counts the deliveries of both", "[bench][mesh]") {
  TempDir dir;
  Node one(dir.path() + "/1",
           {"--rate-limit", "0", "--node-id", "1", "--mesh-bind", "tcp://127.0.0.1:0"});
  Node two(dir.path() + "/2", {"--rate-limit", "0", "--node-id", "2", "--mesh-bind",
                               "tcp://127.0.0.1:0", "--peer", one.mesh_pub()});
  REQUIRE(WaitUntil(
      [&] { return HttpGet(two.port(), "/readyz").find(" 200 ") != std::string::npos; }, 15s));
  RunResult run;
  // Publishers and subscribers alike take channel i mod 2, and subscribers alternate between
  // the nodes: each channel has one publisher (on node 1) and a subscriber on each node.
  json r = BenchJson({"-u", one.url() + "," + two.url(), "--subs", "4", "--pubs", "2", "--channels",
                      "2", "--msgs", "1000", "--rate", "2000"},
                     run);
  CHECK(r["published"] == 1000);
  CHECK(r["expected"] == 2000);
  CHECK(r["delivered"] == 2000);
  CHECK(r["loss"] == 0);
  // Latency apart for the subscribers on each node: half of the deliveries crossed the mesh.
  REQUIRE(r["latency_by_url_us"].size() == 2);
  CHECK(r["latency_by_url_us"][0]["count"] == 1000);
  CHECK(r["latency_by_url_us"][1]["count"] == 1000);
  CHECK(r["latency_by_url_us"][1]["url"].get<std::string>().find(std::to_string(two.port())) !=
        std::string::npos);
}

TEST_CASE("bench refuses a bad plan with exit 2 and an unreachable node with exit 3", "[bench]") {
  CHECK(RunChatctl({"bench", "--size", "8"}).exit_code == 2);
  CHECK(RunChatctl({"bench", "--msgs", "10", "--duration", "1s"}).exit_code == 2);
  CHECK(RunChatctl({"bench", "--duration", "soon"}).exit_code == 2);
  CHECK(RunChatctl({"bench", "--protocol", "smtp"}).exit_code == 2);
  auto unreachable = RunChatctl({"bench", "-u", "ws://127.0.0.1:1", "--subs", "1", "--msgs", "1"});
  CHECK(unreachable.exit_code == 3);
  CHECK(!unreachable.err.empty());
}

TEST_CASE("bench keeps a wide window's frames under the node's frame limit", "[bench]") {
  // A window of 1,000 publishes of 1 KiB would be a 1 MB frame, which a node closes with 1009:
  // the load generator splits it, and every publish is acked.
  TempDir dir;
  Node node(dir.path(), {"--rate-limit", "0"});
  RunResult run;
  json r = BenchJson({"-u", node.url(), "--subs", "1", "--pubs", "1", "--msgs", "3000", "--window",
                      "1000", "--size", "1024"},
                     run);
  CHECK(r["acked"] == 3000);
  CHECK(r["delivered"] == 3000);
  CHECK(r["loss"] == 0);
  CHECK(r["errors"] == 0);
  CHECK(r["reconnects"] == 0);
}
