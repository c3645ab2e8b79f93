// Exit codes of every subcommand: stable, documented in docs/cli.md and the man pages.
#pragma once

namespace chatctl::cmd {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,        // the node refused a request (error reply), or a run-time failure
  kExitUsage = 2,         // wrong flags or arguments
  kExitUnavailable = 3,   // could not connect, or the connection was lost and could not be resumed
  kExitUnauthorized = 4,  // the node refused the credentials (close 4401)
};

}  // namespace chatctl::cmd
