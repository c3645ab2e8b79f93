// Options every client subcommand shares: where the node is and who we are.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace chatctl::cmd {

struct ClientOptions {
  std::string url;      // -u/--url, else $CHATCTL_URL, else ws://127.0.0.1:7447; may be a list
  std::string token;    // --token, else $CHATCTL_TOKEN
  std::string as_user;  // --as, open mode only; default: the login name
};

void AddClientOptions(CLI::App& app, ClientOptions& options);
// Fills in the environment and defaults for what the command line left empty.
void ResolveClientOptions(ClientOptions& options);

}  // namespace chatctl::cmd
