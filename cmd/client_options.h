// Options every client subcommand shares: where the node is and who we are.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "lib/client/chat_client.h"
#include "lib/result.h"

namespace chatctl::cmd {

struct ClientOptions {
  std::string url;      // -u/--url, else $CHATCTL_URL, else ws://127.0.0.1:7447; may be a list
  std::string token;    // --token, else $CHATCTL_TOKEN
  std::string as_user;  // --as: open mode, or a password login; default: the login name
  std::string password_file;  // --password-file, for the commands that AddPasswordOption
};

void AddClientOptions(CLI::App& app, ClientOptions& options);
// --password-file, for the commands that log in over WebSocket (send, tail) and no others: admin
// speaks HTTP with a token, and bench makes up its users' names.
void AddPasswordOption(CLI::App& app, ClientOptions& options);
// Fills in the environment and defaults for what the command line left empty.
void ResolveClientOptions(ClientOptions& options);
// The credentials of a resolved `options`: a token, or --as with the password from --password-file
// or $CHATCTL_PASSWORD, or --as alone. Errors (exit 2): a token and a password both given, a
// password file that cannot be read or whose first line is empty, a password not in UTF-8.
Result<Credentials> LoginCredentials(const ClientOptions& options);

}  // namespace chatctl::cmd
