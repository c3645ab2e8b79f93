// `chatctl send` and `tail` logging in with a password (--password-file, CHATCTL_PASSWORD) against
// a real node with a secret, and `tail -f` reconnecting with the token its password welcome
// carried. Accounts are made through `chatctl admin user add`, as an operator would. Hashing a
// password costs a fraction of a second, so each case makes one account.
#include <catch2/catch.hpp>

#include <signal.h>

#include <fstream>
#include <optional>

#include <nlohmann/json.hpp>

#include "support/process.h"
#include "support/requests.h"

using namespace chatctl::test;
using nlohmann::json;

namespace {

std::string WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

// A node with a secret, an administrator's token for it, and `alice` with `password`.
struct PasswordNode {
  PasswordNode(const TempDir& dir, const std::string& password)
      : secret(WriteSecret(dir.path())),
        node(std::make_optional<Node>(dir.path() + "/node",
                                      std::vector<std::string>{"--secret-file", secret})),
        admin(MintToken(secret, "root", {"--admin"})) {
    auto added = RunChatctl(
        {"admin", "user", "add", "alice", "--password-stdin", "-u", url(), "--token", admin},
        password + "\n");
    INFO(added.err);
    REQUIRE(added.exit_code == 0);
  }
  std::string url() const { return node->url(); }
  std::string secret;
  std::optional<Node> node;
  std::string admin;
};

// One JSON object per line, as `tail --json` prints them.
std::vector<json> JsonLines(const std::string& text) {
  std::vector<json> objects;
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    objects.push_back(json::parse(text.substr(start, nl - start)));
    start = nl + 1;
  }
  return objects;
}

// The channel's messages, read with `token`.
std::vector<json> History(const std::string& url, const std::string& token,
                          const std::string& channel) {
  auto run =
      RunChatctl({"tail", "-u", url, "--token", token, "-c", channel, "-n", "100", "--json"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  return JsonLines(run.out);
}

}  // namespace

TEST_CASE("send and tail log in with a password from a file or from CHATCTL_PASSWORD", "[cli]") {
  TempDir dir;
  PasswordNode n(dir, "correct horse");
  // A file written by echo: the newline is not part of the password.
  std::string file = WriteFile(dir.path() + "/alice.pw", "correct horse\n");

  auto sent = RunChatctl(
      {"send", "-u", n.url(), "--as", "alice", "--password-file", file, "-c", "general", "hi"});
  INFO(sent.err);
  REQUIRE(sent.exit_code == 0);
  auto history = History(n.url(), n.admin, "general");
  REQUIRE(history.size() == 1);
  CHECK(history[0]["from"] == "alice");
  CHECK(history[0]["text"] == "hi");

  auto by_env = RunChatctl({"send", "-u", n.url(), "--as", "alice", "-c", "general", "again"}, "",
                           30s, {{"CHATCTL_PASSWORD", "correct horse"}});
  INFO(by_env.err);
  REQUIRE(by_env.exit_code == 0);
  auto tailed = RunChatctl({"tail", "-u", n.url(), "--as", "alice", "-c", "general", "--json"}, "",
                           30s, {{"CHATCTL_PASSWORD", "correct horse"}});
  INFO(tailed.err);
  REQUIRE(tailed.exit_code == 0);
  auto lines = JsonLines(tailed.out);
  REQUIRE(lines.size() == 2);
  CHECK(lines[1]["from"] == "alice");
  CHECK(lines[1]["text"] == "again");
}

TEST_CASE("a wrong password exits 4; a password with a token or an unreadable file exits 2",
          "[cli]") {
  TempDir dir;
  PasswordNode n(dir, "correct horse");
  std::string right = WriteFile(dir.path() + "/right.pw", "correct horse\n");
  std::string wrong = WriteFile(dir.path() + "/wrong.pw", "battery staple\n");

  auto refused = RunChatctl(
      {"send", "-u", n.url(), "--as", "alice", "--password-file", wrong, "-c", "general", "hi"});
  CHECK(refused.exit_code == 4);
  CHECK(refused.err.find("unauthorized") != std::string::npos);
  auto refused_tail = RunChatctl({"tail", "-u", n.url(), "--as", "alice", "-c", "general", "-f"},
                                 "", 30s, {{"CHATCTL_PASSWORD", "battery staple"}});
  CHECK(refused_tail.exit_code == 4);

  auto both = RunChatctl({"send", "-u", n.url(), "--as", "alice", "--password-file", right,
                          "--token", n.admin, "-c", "general", "hi"});
  CHECK(both.exit_code == 2);
  CHECK(both.err.find("pick one") != std::string::npos);
  auto both_by_env =
      RunChatctl({"tail", "-u", n.url(), "--as", "alice", "-c", "general"}, "", 30s,
                 {{"CHATCTL_PASSWORD", "correct horse"}, {"CHATCTL_TOKEN", n.admin}});
  CHECK(both_by_env.exit_code == 2);

  std::string missing = dir.path() + "/no-such.pw";
  auto no_file = RunChatctl(
      {"send", "-u", n.url(), "--as", "alice", "--password-file", missing, "-c", "general", "hi"});
  CHECK(no_file.exit_code == 2);
  CHECK(no_file.err.find(missing) != std::string::npos);
  std::string empty = WriteFile(dir.path() + "/empty.pw", "\n");
  auto empty_file = RunChatctl(
      {"tail", "-u", n.url(), "--as", "alice", "--password-file", empty, "-c", "general"});
  CHECK(empty_file.exit_code == 2);
  CHECK(empty_file.err.find(empty) != std::string::npos);
  std::string binary = WriteFile(dir.path() + "/binary.pw", "\xff\xfe not text\n");
  auto not_utf8 = RunChatctl(
      {"send", "-u", n.url(), "--as", "alice", "--password-file", binary, "-c", "general", "hi"});
  CHECK(not_utf8.exit_code == 2);

  // Nothing got through under alice's name.
  CHECK(History(n.url(), n.admin, "general").empty());
}

TEST_CASE(
    "tail -f reconnects with the token its password login got, and with the password when "
    "that token is refused",
    "[cli]") {
  TempDir dir;
  PasswordNode n(dir, "correct horse");
  std::string file = WriteFile(dir.path() + "/alice.pw", "correct horse\n");
  Process tail({CHATCTL_BIN, "tail", "-u", n.url(), "--as", "alice", "--password-file", file, "-c",
                "general", "-n", "100", "-f", "--json"},
               dir.path() + "/tail.err");
  auto post = [&](const std::string& text) {
    auto sent = RunChatctl({"send", "-u", n.url(), "--token", n.admin, "-c", "general", text});
    INFO(sent.err);
    REQUIRE(sent.exit_code == 0);
  };
  auto next_text = [&]() -> std::string {
    auto line = tail.ReadLine(20s);
    return line ? json::parse(*line).value("text", "") : "";
  };
  post("one");
  REQUIRE(next_text() == "one");

  // After a restart tail comes back with the token: the new node counts no password login.
  n.node->Kill(SIGTERM);
  REQUIRE(n.node->Wait(20s));
  n.node->Restart();
  post("two");
  CHECK(next_text() == "two");
  CHECK(tail.running());
  CHECK_THAT(HttpBody(HttpGet(n.node->port(), "/metrics")),
             Catch::Contains("chatctl_logins_total 0"));

  // A new secret voids the token; the password is what brings tail back now.
  int port = n.node->port();
  n.node->Kill(SIGTERM);
  REQUIRE(n.node->Wait(20s));
  n.node.reset();
  // Not WriteSecret: it writes the same 32 bytes every time.
  std::string secret = WriteFile(dir.path() + "/new-secret", "a-different-secret-of-32-bytes!!");
  n.node.emplace(dir.path() + "/node", std::vector<std::string>{"--secret-file", secret}, port);
  n.admin = MintToken(secret, "root", {"--admin"});
  post("three");
  CHECK(next_text() == "three");
  CHECK(tail.running());
  CHECK_THAT(HttpBody(HttpGet(n.node->port(), "/metrics")),
             Catch::Contains("chatctl_logins_total 1"));

  // A password change refuses that token too, and the password in the file is now wrong: tail
  // says why and stops, rather than retrying a login that cannot succeed.
  auto changed = HttpRequest(n.node->port(), "PUT", "/api/v1/users/alice/password",
                             json{{"password", "a new password"}}.dump(), n.admin);
  REQUIRE(changed.status == 200);
  n.node->Kill(SIGTERM);
  REQUIRE(n.node->Wait(20s));
  n.node->Restart();
  auto code = tail.Wait(20s);
  REQUIRE(code);
  CHECK(*code != 0);
}
