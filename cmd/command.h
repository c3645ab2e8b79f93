// How cmd/ is put together: each subcommand file adds itself to the app and returns a runner that
// main() calls when that subcommand was chosen. Options live in the runner's captured state.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace chatctl::cmd {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;  // returns the process exit code (exit_codes.h)
};

Command SetupServe(CLI::App& parent);
Command SetupSend(CLI::App& parent);
Command SetupTail(CLI::App& parent);
Command SetupAdmin(CLI::App& parent);
Command SetupBench(CLI::App& parent);
Command SetupChat(CLI::App& parent);

}  // namespace chatctl::cmd
