// Every flag the CLI accepts is in the shell completions and in the subcommand's man page: the
// flags are read from the real binary's --help, so a new flag without docs fails here.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "support/process.h"

using namespace chatctl::test;

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::set<std::string> LongFlags(const std::vector<std::string>& subcommand) {
  std::vector<std::string> args = subcommand;
  args.push_back("--help");
  auto run = RunChatctl(args);
  INFO("chatctl " << args.front() << " ... --help");
  REQUIRE(run.exit_code == 0);
  std::set<std::string> flags;
  std::regex flag(R"(--[a-z][a-z0-9-]*)");
  for (std::sregex_iterator it(run.out.begin(), run.out.end(), flag), end; it != end; ++it) {
    flags.insert(it->str());
  }
  flags.erase("--help");
  return flags;
}

// The subcommands a command's --help lists, under "Subcommands:".
std::vector<std::string> Subcommands(const std::vector<std::string>& command) {
  std::vector<std::string> args = command;
  args.push_back("--help");
  auto run = RunChatctl(args);
  REQUIRE(run.exit_code == 0);
  std::vector<std::string> names;
  auto at = run.out.find("Subcommands:\n");
  if (at == std::string::npos) return names;
  std::istringstream lines(run.out.substr(at + 13));
  std::string line;
  std::regex entry(R"(^  ([a-z][a-z0-9-]*)\s)");
  while (std::getline(lines, line)) {
    std::smatch m;
    if (std::regex_search(line, m, entry)) names.push_back(m[1]);
  }
  return names;
}

bool Mentions(const std::string& text, const std::string& flag) {
  if (text.find(flag) != std::string::npos) return true;
  // roff writes a hyphen as \-
  std::string escaped;
  for (char c : flag) escaped += c == '-' ? std::string("\\-") : std::string(1, c);
  return text.find(escaped) != std::string::npos;
}

}  // namespace

TEST_CASE("every flag of every subcommand is in the completions and the man pages", "[docs]") {
  const std::string root = CHATCTL_SOURCE_DIR;
  std::vector<std::pair<std::vector<std::string>, std::string>> commands = {
      {{"serve"}, "man/chatctl-serve.1"},
      {{"send"}, "man/chatctl-send.1"},
      {{"tail"}, "man/chatctl-tail.1"},
      {{"admin", "token"}, "man/chatctl-admin.1"},
      {{"admin", "mesh-keygen"}, "man/chatctl-admin.1"},
      {{"bench"}, "man/chatctl-bench.1"},
      {{"chat"}, "man/chatctl-chat.1"},
  };
  // Every verb of `chatctl admin` that calls the node's API has its own flags.
  for (const char* noun : {"stats", "kick", "ban", "unban", "bans", "publish"}) {
    commands.push_back({{"admin", noun}, "man/chatctl-admin.1"});
  }
  for (const char* verb : {"list"}) {
    commands.push_back({{"admin", "node", verb}, "man/chatctl-admin.1"});
  }
  for (const char* verb :
       {"list", "info", "create", "delete", "topic", "members", "invite", "remove", "presence"}) {
    commands.push_back({{"admin", "channel", verb}, "man/chatctl-admin.1"});
  }
  for (const char* verb :
       {"list", "search", "show", "add", "passwd", "disable", "enable", "delete"}) {
    commands.push_back({{"admin", "user", verb}, "man/chatctl-admin.1"});
  }
  const std::vector<std::string> completions = {root + "/completions/chatctl.bash",
                                                root + "/completions/_chatctl",
                                                root + "/completions/chatctl.fish"};
  std::size_t checked = 0;
  for (const auto& [path, man] : commands) {
    std::set<std::string> flags = LongFlags(path);
    REQUIRE_FALSE(flags.empty());
    std::string page = ReadFile(root + "/" + man);
    for (const auto& flag : flags) {
      std::string words;
      for (const auto& word : path) words += word + " ";
      INFO("chatctl " << words << flag);
      CHECK(Mentions(page, flag));
      for (const auto& file : completions) {
        INFO(file);
        // fish spells long options without the dashes: -l listen
        std::string text = ReadFile(file);
        if (file.size() > 5 && file.substr(file.size() - 5) == ".fish") {
          CHECK(text.find("-l " + flag.substr(2) + " ") != std::string::npos);
        } else {
          CHECK(Mentions(text, flag));
        }
      }
      ++checked;
    }
  }
  CHECK(checked > 100);
}

TEST_CASE("every admin noun and verb is in the man page, the CLI reference and the completions",
          "[docs]") {
  const std::string root = CHATCTL_SOURCE_DIR;
  const std::vector<std::string> files = {
      root + "/man/chatctl-admin.1", root + "/docs/cli.md", root + "/completions/chatctl.bash",
      root + "/completions/_chatctl", root + "/completions/chatctl.fish"};
  std::vector<std::string> nouns = Subcommands({"admin"});
  REQUIRE(nouns.size() >= 11);
  std::size_t checked = 0;
  for (const auto& noun : nouns) {
    std::vector<std::string> words = {noun};
    for (const auto& verb : Subcommands({"admin", noun})) words.push_back(noun + " " + verb);
    for (const auto& file : files) {
      std::string text = ReadFile(file);
      for (const auto& word : words) {
        INFO(file << ": admin " << word);
        // Each word on its own: the verb may sit in a list apart from its noun.
        auto space = word.find(' ');
        std::string last = space == std::string::npos ? word : word.substr(space + 1);
        CHECK(Mentions(text, last));
        // The man page and the reference spell out every noun and verb together.
        if (file.find("/man/") != std::string::npos || file.find("cli.md") != std::string::npos) {
          CHECK(Mentions(text, word));
        }
        ++checked;
      }
    }
  }
  CHECK(checked > 100);
}
