// Exit codes of every subcommand: stable, documented in docs/cli.md and the man pages. `admin`'s
// API verbs map HTTP answers onto the same codes (cmd/admin_api.cpp).
#pragma once

namespace chatctl::cmd {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,        // the node refused a request (error reply; HTTP 4xx/5xx not below), or
                          // a run-time failure
  kExitUsage = 2,         // wrong flags or arguments
  kExitUnavailable = 3,   // could not connect, or the connection was lost and could not be resumed;
                          // HTTP 503
  kExitUnauthorized = 4,  // the node refused the credentials (close 4401; HTTP 401 or 403)
  kExitInternal = 70,     // serve: one of the node's threads failed (an internal error, logged);
                          // the node stopped cleanly. 70 is sysexits.h's EX_SOFTWARE
  kExitDataDirInUse = 73,  // serve: another process holds the data directory (its lock);
                           // 73 is sysexits.h's EX_CANTCREAT
};

}  // namespace chatctl::cmd
