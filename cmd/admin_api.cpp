// The shared half of the `chatctl admin` API verbs (admin_api.h): one HTTP request per command
// run, on main's thread; errors turned into the documented exit codes and one stderr line.
#include "cmd/admin_api.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>

#include "cmd/admin_text.h"
#include "cmd/exit_codes.h"
#include "lib/client/http_client.h"

namespace chatctl::cmd {
namespace {

using json = nlohmann::json;

constexpr const char* kApiPrefix = "/api/v1";

// The protocol's name for a status, for answers that carry no error body (a proxy, an older
// node that has no such endpoint).
std::string CodeForStatus(int status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 409:
      return "conflict";
    case 413:
      return "too_large";
    case 429:
      return "rate_limited";
    case 503:
      return "unavailable";
    default:
      return status >= 500 ? "internal" : "http_" + std::to_string(status);
  }
}

int Flushed() {
  return std::fflush(stdout) == 0 && std::ferror(stdout) == 0 ? kExitOk : kExitFailed;
}

}  // namespace

void AddApiOptions(CLI::App& app, ApiOptions& options) {
  AddClientOptions(app, options.client);
  // --as claims a name on an open-mode WebSocket login; the API has no such thing, and an
  // option that is accepted and then ignored would mislead.
  if (CLI::Option* as = app.get_option_no_throw("--as")) app.remove_option(as);
  app.add_flag("--json", options.json, "Print the node's answer as one JSON line");
}

int Fail(const std::string& what, const std::string& code, const std::string& message,
         int exit_code) {
  std::fprintf(stderr, "chatctl: %s: %s: %s\n", what.c_str(), code.c_str(),
               Printable(message).c_str());
  return exit_code;
}

int ExitCodeForStatus(int status) {
  if (status == 401 || status == 403) return kExitUnauthorized;
  if (status == 503) return kExitUnavailable;
  return kExitFailed;
}

int CallApi(const std::string& what, ApiOptions& options, const ApiRequest& request, json& answer) {
  ResolveClientOptions(options.client);
  auto endpoints = HttpEndpointsFromNodeUrls(options.client.url);
  if (!endpoints.ok()) {
    return Fail(what, endpoints.error().code, endpoints.error().message, kExitUsage);
  }
  HttpRequest http;
  http.method = request.method;
  http.target = std::string(kApiPrefix) + request.path;
  http.headers.emplace_back("Accept", "application/json");
  if (!options.client.token.empty()) {
    http.headers.emplace_back("Authorization", "Bearer " + options.client.token);
  }
  if (request.body) {
    try {
      http.body = request.body->dump();
    } catch (const json::type_error&) {
      // nlohmann refuses to write invalid UTF-8, and the node would refuse to read it.
      return Fail(what, "bad_request", "an argument is not valid UTF-8", kExitUsage);
    }
    http.headers.emplace_back("Content-Type", "application/json");
  }

  auto response = HttpSend(*endpoints, http);
  if (!response.ok()) {
    const Error& e = response.error();
    return Fail(what, e.code, e.message, e.code == "unavailable" ? kExitUnavailable : kExitFailed);
  }
  json parsed = json::parse(response->body, nullptr, false);
  if (response->status < 200 || response->status > 299) {
    std::string code = CodeForStatus(response->status);
    std::string message;
    if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("error") &&
        parsed["error"].is_object()) {
      const json& error = parsed["error"];
      if (error.contains("code") && error["code"].is_string()) code = error["code"];
      if (error.contains("message") && error["message"].is_string()) message = error["message"];
    }
    if (message.empty()) {
      std::string text = response->body.substr(0, response->body.find('\n'));
      message = response->status == 404 && text.size() < 40
                    ? "the node has no " + request.method + " " + http.target +
                          " (a node older than this chatctl?)"
                    : "HTTP " + std::to_string(response->status) +
                          (text.empty() ? "" : ": " + text.substr(0, 200));
    }
    return Fail(what, code, message, ExitCodeForStatus(response->status));
  }
  if (parsed.is_discarded()) {
    return Fail(what, "internal",
                "the node's answer (HTTP " + std::to_string(response->status) + ") is not JSON",
                kExitFailed);
  }
  answer = std::move(parsed);
  return kExitOk;
}

int PrintJson(const json& answer) {
  std::string line = answer.dump(-1, ' ', false, json::error_handler_t::replace);
  std::printf("%s\n", line.c_str());
  return Flushed();
}

int PrintLine(const std::string& line) {
  std::printf("%s\n", line.c_str());
  return Flushed();
}

std::string Cell(const json& value, const std::string& key) {
  if (value.is_null()) return "-";
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  if (value.is_string()) return Printable(value.get<std::string>());
  if (key == "last_message" && value.is_object() && value.contains("from") &&
      value.contains("text")) {
    // As `chatctl tail` shows a message, with the date: a room's info is often read days later.
    std::string when;
    if (value.contains("ts") && value["ts"].is_number_integer()) {
      when = FormatUtc(value["ts"].get<std::int64_t>()) + " ";
    }
    return when + "<" + Cell(value["from"], "from") + "> " + Cell(value["text"], "text");
  }
  if ((key == "until" || key == "banned_until") && value.is_number_integer()) {
    // A user's banned_until of 0 is "not banned"; a ban's until of 0 is "no expiry".
    std::int64_t until = value.get<std::int64_t>();
    if (key == "banned_until" && until == 0) return "-";
    return FormatUntil(until);
  }
  return Printable(value.dump(-1, ' ', false, json::error_handler_t::replace));
}

int PrintFields(const json& object, const std::vector<std::string>& order) {
  if (!object.is_object()) return PrintJson(object);
  std::string out;
  std::set<std::string> done;
  for (const auto& key : order) {
    if (!object.contains(key)) continue;
    out += key + ": " + Cell(object[key], key) + "\n";
    done.insert(key);
  }
  for (const auto& [key, value] : object.items()) {
    if (done.count(key) == 0) out += key + ": " + Cell(value, key) + "\n";
  }
  std::fputs(out.c_str(), stdout);
  return Flushed();
}

int PrintRows(const json& rows, const std::vector<std::string>& columns) {
  std::vector<std::string> header;
  for (const auto& column : columns) {
    std::string title = column;
    std::transform(title.begin(), title.end(), title.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    header.push_back(title);
  }
  std::vector<std::vector<std::string>> cells;
  if (rows.is_array()) {
    for (const auto& row : rows) {
      std::vector<std::string> line;
      if (row.is_object()) {
        for (const auto& column : columns) {
          line.push_back(row.contains(column) ? Cell(row[column], column) : "-");
        }
      } else {
        line.push_back(Cell(row, columns.empty() ? "" : columns[0]));
      }
      cells.push_back(std::move(line));
    }
  }
  std::fputs(FormatTable(header, cells).c_str(), stdout);
  return Flushed();
}

Result<std::string> ReadAllFrom(int fd) {
  std::string text;
  char chunk[65536];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n > 0) {
      text.append(chunk, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) return text;
    if (errno == EINTR) continue;
    return Error{"internal", std::string("reading: ") + std::strerror(errno)};
  }
}

Result<std::string> ReadFileText(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{"bad_request", "cannot open " + path + ": " + std::strerror(errno)};
  auto text = ReadAllFrom(fd);
  close(fd);
  if (!text.ok()) return Error{text.error().code, path + ": " + text.error().message};
  return text;
}

Command Noun(CLI::App* app, std::vector<Command> verbs) {
  app->require_subcommand(1);
  auto chosen = std::make_shared<std::vector<Command>>(std::move(verbs));
  return {app, [chosen] {
            for (auto& verb : *chosen) {
              if (verb.app->parsed()) return verb.run();
            }
            return static_cast<int>(kExitUsage);
          }};
}

}  // namespace chatctl::cmd
