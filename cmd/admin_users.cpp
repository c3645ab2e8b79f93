// `chatctl admin user VERB`: accounts through the admin API (/api/v1/users...): list and search,
// show, add, passwd, disable, enable, delete. Passwords never come from the command line, where
// every user of the machine could read them in the process list: they come from stdin, a file,
// or a prompt on the terminal with echo off.
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cmd/admin_api.h"
#include "cmd/admin_text.h"
#include "cmd/exit_codes.h"
#include "lib/utf8.h"

namespace chatctl::cmd {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMinPassword = 8;  // docs/admin-api.md
constexpr std::size_t kMaxPassword = 256;

struct UserOptions {
  ApiOptions api;
  std::string name;
  std::string prefix;
  std::string after;
  int limit = 0;  // 0: the node's default
  bool admin = false;
  bool password_stdin = false;
  std::string password_file;
};

std::string UserPath(const std::string& name) { return "/users/" + PercentEncode(name); }

// The terminal's settings while echo is off, for the signal handler to put back: a Ctrl-C at the
// prompt must not leave the shell without echo.
termios g_saved_tty;

void RestoreTtyAndReraise(int sig) {
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved_tty);
  signal(sig, SIG_DFL);
  raise(sig);
}

// One line from the terminal with echo off; nullopt at end of input or if stdin is no terminal.
std::optional<std::string> PromptHidden(const std::string& prompt) {
  termios tty{};
  if (tcgetattr(STDIN_FILENO, &tty) != 0) return std::nullopt;
  std::fputs(prompt.c_str(), stderr);
  std::fflush(stderr);
  g_saved_tty = tty;
  struct sigaction restore {};
  restore.sa_handler = RestoreTtyAndReraise;
  struct sigaction old_int {
  }, old_term{}, old_hup{};
  sigaction(SIGINT, &restore, &old_int);
  sigaction(SIGTERM, &restore, &old_term);
  sigaction(SIGHUP, &restore, &old_hup);
  tty.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &tty);

  std::string line;
  bool ended = false;
  for (;;) {
    char c = 0;
    ssize_t n = read(STDIN_FILENO, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ended = line.empty();
      break;
    }
    if (c == '\n') break;
    line += c;
  }
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved_tty);
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  sigaction(SIGHUP, &old_hup, nullptr);
  std::fputs("\n", stderr);  // the Enter that echo swallowed
  if (ended) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// The password from the one source given, checked as the node would check it. Returns the exit
// code of the failure (already reported) when there is none.
std::optional<std::string> ReadPassword(const std::string& what, const UserOptions& o,
                                        int& exit_code) {
  std::string password;
  exit_code = kExitUsage;
  if (o.password_stdin || !o.password_file.empty()) {
    auto text = o.password_stdin ? ReadAllFrom(STDIN_FILENO) : ReadFileText(o.password_file);
    if (!text.ok()) {
      exit_code = Fail(what, text.error().code, text.error().message, kExitFailed);
      return std::nullopt;
    }
    password = std::move(text).value();
    // One trailing newline is the file's or echo's, not the password's.
    if (!password.empty() && password.back() == '\n') password.pop_back();
    if (!password.empty() && password.back() == '\r') password.pop_back();
  } else if (isatty(STDIN_FILENO) != 0) {
    auto first = PromptHidden("Password for " + o.name + ": ");
    if (!first) {
      Fail(what, "bad_request", "no password given", kExitUsage);
      return std::nullopt;
    }
    auto again = PromptHidden("Again: ");
    if (!again || *again != *first) {
      Fail(what, "bad_request", "the passwords differ", kExitUsage);
      return std::nullopt;
    }
    password = std::move(*first);
  } else {
    Fail(what, "bad_request",
         "give --password-stdin or --password-file FILE (stdin is not a terminal to prompt on)",
         kExitUsage);
    return std::nullopt;
  }
  if (password.size() < kMinPassword || password.size() > kMaxPassword) {
    Fail(what, "bad_request", "a password is 8 to 256 bytes long", kExitUsage);
    return std::nullopt;
  }
  if (!IsValidUtf8(password) || password.find('\0') != std::string::npos) {
    Fail(what, "bad_request", "the password is not valid UTF-8 text", kExitUsage);
    return std::nullopt;
  }
  exit_code = kExitOk;
  return password;
}

int List(UserOptions& o, const std::string& what) {
  std::string query;
  if (!o.prefix.empty()) query += "&prefix=" + PercentEncode(o.prefix);
  if (!o.after.empty()) query += "&after=" + PercentEncode(o.after);
  if (o.limit > 0) query += "&limit=" + std::to_string(o.limit);
  if (!query.empty()) query[0] = '?';
  json answer;
  if (int rc = CallApi(what, o.api, {"GET", "/users" + query, std::nullopt}, answer);
      rc != kExitOk) {
    return rc;
  }
  if (o.api.json) return PrintJson(answer);
  json users = answer.value("users", json::array());
  int rc = PrintRows(users, {"name", "admin", "disabled", "banned_until"});
  // The next page is the caller's to ask for; say how, on stderr so the table stays clean.
  if (answer.value("more", false) && users.is_array() && !users.empty() &&
      users.back().is_object() && users.back().contains("name")) {
    std::fprintf(stderr, "more users follow: --after %s\n", Cell(users.back()["name"], "").c_str());
  }
  return rc;
}

int RunList(UserOptions& o) { return List(o, "admin user list"); }
int RunSearch(UserOptions& o) { return List(o, "admin user search"); }

int RunShow(UserOptions& o) {
  json answer;
  if (int rc = CallApi("admin user show", o.api, {"GET", UserPath(o.name), std::nullopt}, answer);
      rc != kExitOk) {
    return rc;
  }
  if (o.api.json) return PrintJson(answer);
  return PrintFields(answer, {"name", "admin", "disabled", "banned_until", "account"});
}

int RunAdd(UserOptions& o) {
  const std::string what = "admin user add";
  int rc = kExitOk;
  auto password = ReadPassword(what, o, rc);
  if (!password) return rc;
  json body = {{"name", o.name}, {"password", *password}, {"admin", o.admin}};
  json answer;
  if (rc = CallApi(what, o.api, {"POST", "/users", body}, answer); rc != kExitOk) return rc;
  if (o.api.json) return PrintJson(answer);
  return PrintLine("added user " + Printable(o.name) +
                   (answer.value("admin", o.admin) ? " (admin)" : ""));
}

int RunPasswd(UserOptions& o) {
  const std::string what = "admin user passwd";
  int rc = kExitOk;
  auto password = ReadPassword(what, o, rc);
  if (!password) return rc;
  json answer;
  if (rc = CallApi(what, o.api,
                   {"PUT", UserPath(o.name) + "/password", json{{"password", *password}}}, answer);
      rc != kExitOk) {
    return rc;
  }
  if (o.api.json) return PrintJson(answer);
  return PrintLine("changed the password of " + Printable(o.name));
}

int Action(UserOptions& o, const std::string& verb, const std::string& method,
           const std::string& suffix, const std::string& done) {
  json answer;
  if (int rc = CallApi("admin user " + verb, o.api,
                       {method, UserPath(o.name) + suffix,
                        method == "POST" ? std::optional<json>(json::object()) : std::nullopt},
                       answer);
      rc != kExitOk) {
    return rc;
  }
  if (o.api.json) return PrintJson(answer);
  return PrintLine(done + " user " + Printable(o.name));
}

int RunDisable(UserOptions& o) { return Action(o, "disable", "POST", "/disable", "disabled"); }
int RunEnable(UserOptions& o) { return Action(o, "enable", "POST", "/enable", "enabled"); }
int RunDelete(UserOptions& o) { return Action(o, "delete", "DELETE", "", "deleted"); }

using Runner = int (*)(UserOptions&);
Command Verb(CLI::App* noun, const std::string& name, const std::string& help, Runner run,
             std::shared_ptr<UserOptions>& o) {
  o = std::make_shared<UserOptions>();
  CLI::App* app = noun->add_subcommand(name, help);
  AddApiOptions(*app, o->api);
  auto keep = o;
  return {app, [keep, run] { return run(*keep); }};
}

void AddName(CLI::App& app, UserOptions& o) {
  app.add_option("name", o.name, "The user")->required()->type_name("NAME");
}

void AddPaging(CLI::App& app, UserOptions& o) {
  app.add_option("--after", o.after, "Start after this name (the next page)")->type_name("NAME");
  app.add_option("--limit", o.limit, "At most N users (1-1000; default 100)")
      ->type_name("N")
      ->check(CLI::Range(1, 1000));
}

void AddPasswordSources(CLI::App& app, UserOptions& o) {
  auto* from_stdin =
      app.add_flag("--password-stdin", o.password_stdin, "Read the password from stdin");
  auto* from_file = app.add_option("--password-file", o.password_file,
                                   "Read the password from FILE (one trailing newline dropped)")
                        ->type_name("FILE");
  from_stdin->excludes(from_file);
}

}  // namespace

Command SetupAdminUser(CLI::App& admin) {
  CLI::App* noun = admin.add_subcommand("user", "Accounts: list, add, passwd, disable, delete");
  std::vector<Command> verbs;
  std::shared_ptr<UserOptions> o;

  verbs.push_back(Verb(noun, "list", "List users by name, a page at a time", RunList, o));
  verbs.back()
      .app->add_option("--prefix", o->prefix, "Only users whose name starts so")
      ->type_name("PREFIX");
  AddPaging(*verbs.back().app, *o);

  verbs.push_back(Verb(noun, "search", "List users whose name starts with PREFIX", RunSearch, o));
  verbs.back()
      .app->add_option("prefix", o->prefix, "Start of the name")
      ->required()
      ->type_name("PREFIX");
  AddPaging(*verbs.back().app, *o);

  verbs.push_back(Verb(noun, "show", "One user: admin, disabled, banned, account", RunShow, o));
  AddName(*verbs.back().app, *o);

  verbs.push_back(Verb(noun, "add", "Create an account with a password", RunAdd, o));
  AddName(*verbs.back().app, *o);
  verbs.back().app->add_flag("--admin", o->admin, "Make the account an administrator");
  AddPasswordSources(*verbs.back().app, *o);

  verbs.push_back(Verb(noun, "passwd", "Set a user's password", RunPasswd, o));
  AddName(*verbs.back().app, *o);
  AddPasswordSources(*verbs.back().app, *o);

  verbs.push_back(
      Verb(noun, "disable", "Refuse a user's logins; close its sessions", RunDisable, o));
  AddName(*verbs.back().app, *o);
  verbs.push_back(Verb(noun, "enable", "Let a disabled user log in again", RunEnable, o));
  AddName(*verbs.back().app, *o);
  verbs.push_back(Verb(noun, "delete", "Delete an account; close its sessions", RunDelete, o));
  AddName(*verbs.back().app, *o);

  return Noun(noun, std::move(verbs));
}

}  // namespace chatctl::cmd
