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
  REQUIRE(run.exit_code == 0);
  std::set<std::string> flags;
  std::regex flag(R"(--[a-z][a-z0-9-]*)");
  for (std::sregex_iterator it(run.out.begin(), run.out.end(), flag), end; it != end; ++it) {
    flags.insert(it->str());
  }
  flags.erase("--help");
  return flags;
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
  const std::vector<std::pair<std::vector<std::string>, std::string>> commands = {
      {{"serve"}, "man/chatctl-serve.1"},
      {{"send"}, "man/chatctl-send.1"},
      {{"tail"}, "man/chatctl-tail.1"},
      {{"admin", "token"}, "man/chatctl-admin.1"},
      {{"admin", "mesh-keygen"}, "man/chatctl-admin.1"},
      {{"bench"}, "man/chatctl-bench.1"},
  };
  const std::vector<std::string> completions = {root + "/completions/chatctl.bash",
                                                root + "/completions/_chatctl",
                                                root + "/completions/chatctl.fish"};
  std::size_t checked = 0;
  for (const auto& [path, man] : commands) {
    std::set<std::string> flags = LongFlags(path);
    REQUIRE_FALSE(flags.empty());
    std::string page = ReadFile(root + "/" + man);
    for (const auto& flag : flags) {
      INFO("chatctl " << path[0] << " " << flag);
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
  CHECK(checked > 20);
}
