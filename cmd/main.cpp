// chatctl: the relay node (`serve`) and its clients (`send`, `tail`, `admin`, `bench`, `chat`).
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cmd/command.h"
#include "cmd/config_file.h"
#include "cmd/exit_codes.h"

int main(int argc, char** argv) {
  using namespace chatctl::cmd;
  CLI::App app{"chatctl: a self-hosted chat relay and its command-line clients", "chatctl"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "chatctl 0.1.0");
  std::vector<Command> commands = {SetupServe(app), SetupSend(app),  SetupTail(app),
                                   SetupAdmin(app), SetupBench(app), SetupChat(app)};
  std::vector<std::string> args(argv + 1, argv + argc);
  auto with_config = ApplyConfigFile(args, *commands[0].app);
  if (!with_config) {
    std::fprintf(stderr, "chatctl: %s\n", with_config.error().message.c_str());
    return kExitUsage;
  }
  args = std::move(with_config.value());
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector last argument first
  try {
    app.parse(std::move(args));
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  try {
    for (auto& command : commands) {
      if (command.app->parsed()) return command.run();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "chatctl: %s\n", e.what());
    return kExitFailed;
  }
  return kExitUsage;
}
