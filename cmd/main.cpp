// chatctl: the relay node (`serve`) and its clients (`send`, `tail`, `admin`, `bench`).
#include <cstdio>
#include <exception>
#include <vector>

#include <CLI/CLI.hpp>

#include "cmd/command.h"
#include "cmd/exit_codes.h"

int main(int argc, char** argv) {
  using namespace chatctl::cmd;
  CLI::App app{"chatctl: a self-hosted chat relay and its command-line clients", "chatctl"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "chatctl 0.1.0");
  std::vector<Command> commands = {SetupServe(app), SetupSend(app), SetupTail(app),
                                   SetupAdmin(app), SetupBench(app)};
  try {
    app.parse(argc, argv);
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
