// Helpers for the authorization, moderation and replication tests (see requests.h).
#include "support/requests.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <thread>

#include "support/process.h"

namespace chatctl::test {

using nlohmann::json;

std::string WriteSecret(const std::string& dir) {
  std::string path = dir + "/secret";
  std::ofstream(path) << "0123456789abcdef0123456789abcdef";
  return path;
}

std::string MintToken(const std::string& secret, const std::string& user,
                      const std::vector<std::string>& extra) {
  std::vector<std::string> args{"admin", "token", "--user", user, "--secret-file", secret};
  args.insert(args.end(), extra.begin(), extra.end());
  auto minted = RunChatctl(args);
  INFO(minted.err);
  REQUIRE(minted.exit_code == 0);
  return minted.out.substr(0, minted.out.find('\n'));
}

std::unique_ptr<RawWs> SayHello(int port, const json& hello) {
  auto ws = std::make_unique<RawWs>(port);
  ws->SendJson(hello);
  return ws;
}

std::unique_ptr<RawWs> TokenSession(int port, const std::string& token) {
  auto ws = SayHello(port, {{"type", "hello"}, {"token", token}});
  auto welcome = ws->ReadType("welcome");
  INFO("closed " << ws->close_code() << " " << ws->close_reason());
  REQUIRE(welcome);
  return ws;
}

int HelloCloseCode(int port, const json& hello) {
  auto ws = SayHello(port, hello);
  for (;;) {
    auto line = ws->ReadJson(5s);
    if (!line) return ws->closed() ? ws->close_code() : -1;
    if ((*line)["type"] == "welcome") return 0;
  }
}

json Ask(RawWs& ws, json request, std::chrono::milliseconds timeout) {
  static int counter = 0;
  std::string ref = "r" + std::to_string(++counter);
  request["ref"] = ref;
  ws.SendJson(request);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto line = left > 0ms ? ws.ReadJson(left) : std::nullopt;
    INFO("no reply to " << request.dump() << "; closed " << ws.close_code() << " "
                        << ws.close_reason());
    REQUIRE(line);
    if (line->value("ref", json()) == ref) return *line;
  }
}

std::string AskCode(RawWs& ws, json request) {
  json reply = Ask(ws, std::move(request));
  return reply["type"] == "error" ? reply["code"].get<std::string>() : std::string();
}

std::vector<json> ReadThrough(RawWs& ws, const std::function<bool(const json&)>& last,
                              std::chrono::milliseconds timeout) {
  std::vector<json> lines;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto line = left > 0ms ? ws.ReadJson(left) : std::nullopt;
    INFO("read so far: " << json(lines).dump());
    REQUIRE(line);
    lines.push_back(*line);
    if (last(*line)) return lines;
  }
}

std::vector<json> Pending(RawWs& ws) {
  static int counter = 0;
  std::string ref = "pending" + std::to_string(++counter);
  ws.SendJson({{"type", "ping"}, {"ref", ref}});
  auto lines = ReadThrough(
      ws, [&](const json& j) { return j["type"] == "pong" && j.value("ref", json()) == ref; });
  lines.pop_back();
  return lines;
}

bool Mentions(const std::vector<json>& lines, const std::string& channel) {
  for (const auto& line : lines) {
    if (line.value("channel", json()) == channel ||
        line.dump().find(channel) != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> HistoryTexts(RawWs& ws, const std::string& channel) {
  json reply = Ask(ws, {{"type", "history"}, {"channel", channel}, {"limit", 500}});
  INFO(reply.dump());
  REQUIRE(reply["type"] == "history");
  std::vector<std::string> texts;
  for (const auto& m : reply["messages"]) texts.push_back(m["text"].get<std::string>());
  return texts;
}

bool Eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
}

}  // namespace chatctl::test
