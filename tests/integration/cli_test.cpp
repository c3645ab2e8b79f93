// `chatctl send` and `chatctl tail` as a shell script uses them, against a real node.
#include <catch2/catch.hpp>

#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/process.h"

using namespace chatctl::test;
using nlohmann::json;

namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

RunResult Send(const Node& node, const std::string& channel, const std::string& text) {
  return RunChatctl({"send", "-u", node.url(), "--as", "writer", "-c", channel, text});
}

// A `tail -f --json` running in the background, starting with up to 100 messages of history
// (so nothing sent before it subscribed is missed).
std::unique_ptr<Process> Follow(const std::string& urls, const std::string& channel) {
  return std::make_unique<Process>(std::vector<std::string>{CHATCTL_BIN, "tail", "-u", urls, "--as",
                                                            "reader", "-c", channel, "-n", "100",
                                                            "-f", "--json"});
}

// Reads `n` msg lines from a follower and returns their texts.
std::vector<std::string> ReadTexts(Process& tail, int n) {
  std::vector<std::string> texts;
  while (static_cast<int>(texts.size()) < n) {
    auto line = tail.ReadLine(15s);
    if (!line) break;
    texts.push_back(json::parse(*line).at("text").get<std::string>());
  }
  return texts;
}

}  // namespace

TEST_CASE("send takes text from arguments or one message per stdin line; tail prints them",
          "[cli]") {
  TempDir dir;
  Node node(dir.path());
  auto single =
      RunChatctl({"send", "-u", node.url(), "--as", "alice", "-c", "ops", "disk", "full"});
  REQUIRE(single.exit_code == 0);
  auto piped = RunChatctl({"send", "-u", node.url(), "--as", "alice", "-c", "ops"},
                          "first line\nsecond line\n\nthird line\n");
  INFO(piped.err);
  REQUIRE(piped.exit_code == 0);

  auto human = RunChatctl({"tail", "-u", node.url(), "--as", "bob", "-c", "ops", "-n", "3"});
  REQUIRE(human.exit_code == 0);
  auto lines = Lines(human.out);
  REQUIRE(lines.size() == 3);
  // HH:MM:SS <user> text
  CHECK(lines[0].substr(8) == " <alice> first line");
  CHECK(lines[1].substr(8) == " <alice> second line");
  CHECK(lines[2].substr(8) == " <alice> third line");
  CHECK(lines[0][2] == ':');

  auto machine =
      RunChatctl({"tail", "-u", node.url(), "--as", "bob", "-c", "ops", "-n", "10", "--json"});
  REQUIRE(machine.exit_code == 0);
  auto objects = Lines(machine.out);
  REQUIRE(objects.size() == 4);  // the blank stdin line is not a message
  auto first = json::parse(objects[0]);
  CHECK(first["type"] == "msg");
  CHECK(first["channel"] == "ops");
  CHECK(first["from"] == "alice");
  CHECK(first["text"] == "disk full");
}

TEST_CASE("tail with several channels names the channel on each line", "[cli]") {
  TempDir dir;
  Node node(dir.path());
  REQUIRE(Send(node, "red", "r1").exit_code == 0);
  REQUIRE(Send(node, "blue", "b1").exit_code == 0);
  auto out = RunChatctl({"tail", "-u", node.url(), "-c", "red", "-c", "blue", "-n", "5"});
  REQUIRE(out.exit_code == 0);
  CHECK(out.out.find("#red") != std::string::npos);
  CHECK(out.out.find("#blue") != std::string::npos);
}

TEST_CASE("send exit codes tell usage, refusal, unreachable and bad credentials apart", "[cli]") {
  TempDir dir;
  std::string secret = dir.path() + "/secret";
  std::ofstream(secret) << "an-operator-secret-of-some-length\n";
  Node node(dir.path() + "/node", {"--secret-file", secret});

  CHECK(RunChatctl({"send", "-u", node.url(), "no channel given"}).exit_code == 2);
  CHECK(RunChatctl({"send", "--bogus-flag"}).exit_code == 2);
  auto unreachable = RunChatctl({"send", "-u", "ws://127.0.0.1:1", "-c", "x", "hi"});
  CHECK(unreachable.exit_code == 3);
  CHECK(!unreachable.err.empty());

  auto no_token = RunChatctl({"send", "-u", node.url(), "--as", "eve", "-c", "x", "hi"});
  CHECK(no_token.exit_code == 4);
  auto token = RunChatctl({"admin", "token", "--user", "ann", "--secret-file", secret});
  REQUIRE(token.exit_code == 0);
  std::string jwt = Lines(token.out).at(0);
  auto ok = RunChatctl({"send", "-u", node.url(), "--token", jwt, "-c", "x", "hi"});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  auto bad_name = RunChatctl({"send", "-u", node.url(), "--token", jwt, "-c", "no spaces", "hi"});
  CHECK(bad_name.exit_code == 1);
  CHECK(bad_name.err.find("bad_request") != std::string::npos);

  auto history = RunChatctl({"tail", "-u", node.url(), "--token", jwt, "-c", "x", "--json"});
  REQUIRE(history.exit_code == 0);
  auto lines = Lines(history.out);
  REQUIRE(lines.size() == 1);
  CHECK(json::parse(lines[0])["from"] == "ann");
}

TEST_CASE("a direct message through the CLI reaches its two users only", "[cli]") {
  TempDir dir;
  Node node(dir.path());
  REQUIRE(
      RunChatctl({"send", "-u", node.url(), "--as", "alice", "--to", "bob", "psst"}).exit_code ==
      0);
  auto bob = RunChatctl({"tail", "-u", node.url(), "--as", "bob", "-c", "dm:alice:bob"});
  REQUIRE(bob.exit_code == 0);
  CHECK(bob.out.find("<alice> psst") != std::string::npos);
  auto carol = RunChatctl({"tail", "-u", node.url(), "--as", "carol", "-c", "dm:alice:bob"});
  CHECK(carol.exit_code != 0);
  CHECK(carol.out.find("psst") == std::string::npos);
}

TEST_CASE("tail -f across a node restart prints every message exactly once", "[cli][restart]") {
  TempDir dir;
  Node node(dir.path());
  auto tail = Follow(node.url(), "news");
  std::vector<std::string> seen;
  for (int i = 0; i < 5; ++i) REQUIRE(Send(node, "news", "m" + std::to_string(i)).exit_code == 0);
  auto before = ReadTexts(*tail, 5);
  seen.insert(seen.end(), before.begin(), before.end());

  node.Kill(SIGKILL);
  node.Restart();
  // Sent as soon as the node is back: the follower is likely still backing off, so these
  // come to it by `since` on reconnect, the later ones live.
  for (int i = 5; i < 15; ++i) REQUIRE(Send(node, "news", "m" + std::to_string(i)).exit_code == 0);
  auto after = ReadTexts(*tail, 10);
  seen.insert(seen.end(), after.begin(), after.end());
  CHECK(!tail->ReadLine(1500ms));  // and nothing twice

  std::vector<std::string> expected;
  for (int i = 0; i < 15; ++i) expected.push_back("m" + std::to_string(i));
  CHECK(seen == expected);
}

TEST_CASE("tail -f fails over to the next URL in the list", "[cli][restart]") {
  TempDir dir;
  Node node(dir.path());
  REQUIRE(Send(node, "ops", "before").exit_code == 0);
  auto tail = Follow("ws://127.0.0.1:1," + node.url(), "ops");
  REQUIRE(Send(node, "ops", "after").exit_code == 0);
  CHECK(ReadTexts(*tail, 2) == std::vector<std::string>{"before", "after"});
}

TEST_CASE("serve reads its flags from --config, and the command line wins over the file", "[cli]") {
  TempDir dir;
  std::string config = dir.path() + "/chatctl.toml";
  // The harness passes its own --listen on the command line; were the file's used, the node
  // would fail to start on this address.
  std::ofstream(config) << "# a node's settings\n"
                           "listen = \"not-an-address\"\n"
                           "node-id = 7\n"
                           "max-joins = 1\n";
  Node node(dir.path() + "/node", {"--config", config});
  CHECK(node.LogField("node") == "7");

  auto one = RunChatctl({"tail", "-u", node.url(), "--as", "ann", "-c", "a", "--json"});
  CHECK(one.exit_code == 0);
  auto two = RunChatctl({"tail", "-u", node.url(), "--as", "ann", "-c", "a", "-c", "b", "--json"});
  CHECK(two.exit_code != 0);
  CHECK(two.err.find("limit") != std::string::npos);

  // The same keys under a [serve] section.
  std::string sectioned = dir.path() + "/sectioned.toml";
  std::ofstream(sectioned) << "[serve]\nnode-id = 9\n";
  Node second(dir.path() + "/second", {"--config=" + sectioned});
  CHECK(second.LogField("node") == "9");
}

TEST_CASE("a missing, unreadable or unknown --config key is a usage error", "[cli]") {
  TempDir dir;
  auto missing = RunChatctl({"serve", "--config", dir.path() + "/none.toml"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("none.toml") != std::string::npos);

  std::string unknown = dir.path() + "/unknown.toml";
  std::ofstream(unknown) << "listen = \"127.0.0.1:0\"\nlisten-port = 1\n";
  auto bad_key = RunChatctl({"serve", "--config", unknown});
  CHECK(bad_key.exit_code == 2);
  CHECK(bad_key.err.find("listen-port") != std::string::npos);

  std::string garbled = dir.path() + "/garbled.toml";
  std::ofstream(garbled) << "[serve\nnode-id = = 3\n";
  CHECK(RunChatctl({"serve", "--config", garbled}).exit_code == 2);
}
