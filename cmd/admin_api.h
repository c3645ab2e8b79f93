// What every `chatctl admin` verb that talks to a node shares: its options (-u, --token,
// --json), one request to the admin HTTP API (docs/admin-api.md), the mapping of the node's
// errors to exit codes and messages, and the printers for tables and key: value lines. The
// nouns themselves are in admin_node.cpp, admin_channels.cpp, admin_users.cpp,
// admin_moderation.cpp and admin_publish.cpp; admin.cpp puts them together.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cmd/client_options.h"
#include "cmd/command.h"
#include "lib/result.h"

namespace chatctl::cmd {

struct ApiOptions {
  ClientOptions client;  // as_user is unused: the API takes a token or trusts loopback
  bool json = false;
};

// -u/--url and --token as for every client (AddClientOptions, without --as: the API has no
// claimed names), and --json.
void AddApiOptions(CLI::App& app, ApiOptions& options);

struct ApiRequest {
  std::string method = "GET";
  std::string path;  // after /api/v1, names already percent-encoded: "/users/alice"
  std::optional<nlohmann::json> body;
};

// Sends `request` to the node (-u, with failover on connect errors). On a 2xx answer fills
// `answer` and returns kExitOk; otherwise prints `chatctl: WHAT: CODE: MESSAGE` and returns the
// exit code: 2 for a bad URL or an argument that cannot be sent (not UTF-8), 3 when no node
// could be reached or it answered 503, 4 for 401/403, 1 for any other refusal or failure.
int CallApi(const std::string& what, ApiOptions& options, const ApiRequest& request,
            nlohmann::json& answer);

// Prints `chatctl: WHAT: CODE: MESSAGE` to stderr and returns `exit_code`.
int Fail(const std::string& what, const std::string& code, const std::string& message,
         int exit_code);

// The exit code for an HTTP status the API answered with (>= 400).
int ExitCodeForStatus(int status);

// Everything printed on stdout ends with one of these; they return kExitOk, or kExitFailed when
// stdout cannot be written (a closed pipe is an error a script should see).
int PrintJson(const nlohmann::json& answer);  // --json: the answer as one compact line
int PrintLine(const std::string& line);       // a one-line confirmation
// `key: value` lines: the keys of `order` first (those present), then any others the node sent.
int PrintFields(const nlohmann::json& object, const std::vector<std::string>& order);
// A table of `rows` (objects, or plain values shown under the first column), one column per
// key, headed by the key in capitals.
int PrintRows(const nlohmann::json& rows, const std::vector<std::string>& columns);

// A JSON value as a table cell or a field: strings made terminal-safe, booleans yes/no, null
// "-", ban expiries (`until`, `banned_until`) as UTC times.
std::string Cell(const nlohmann::json& value, const std::string& key);

// Reads all of stdin (or a file), for --password-stdin, --password-file and `publish -`.
Result<std::string> ReadAllFrom(int fd);
Result<std::string> ReadFileText(const std::string& path);

// A noun whose verbs are its subcommands (`admin user add`); runs the verb that was chosen.
Command Noun(CLI::App* app, std::vector<Command> verbs);

// The nouns, each in its own file.
Command SetupAdminNode(CLI::App& admin);                     // admin_node.cpp
Command SetupAdminStats(CLI::App& admin);                    // admin_node.cpp
Command SetupAdminChannel(CLI::App& admin);                  // admin_channels.cpp
Command SetupAdminUser(CLI::App& admin);                     // admin_users.cpp
std::vector<Command> SetupAdminModeration(CLI::App& admin);  // admin_moderation.cpp
Command SetupAdminPublish(CLI::App& admin);                  // admin_publish.cpp

}  // namespace chatctl::cmd
