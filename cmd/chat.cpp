// `chatctl chat`: the interactive terminal client. This file reads the options, connects (so a
// wrong URL or refused credentials are said plainly, before the screen is taken), remembers the
// rooms between runs under $XDG_STATE_HOME/chatctl, and runs the UI (cmd/chat/app.h) beside the
// network thread (lib/chat/connection.h).
#include <termios.h>
#include <unistd.h>

#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cmd/chat/app.h"
#include "cmd/chat/terminal.h"
#include "cmd/client_options.h"
#include "cmd/command.h"
#include "cmd/exit_codes.h"
#include "lib/chat/connection.h"
#include "lib/names.h"

namespace chatctl::cmd {
namespace {

using namespace std::chrono_literals;

struct ChatOptions {
  ClientOptions client;
  std::vector<std::string> channels;
  std::string to;
  int last = 50;
  std::size_t scrollback = 10000;
};

void Fail(const std::string& code, const std::string& message) {
  std::fprintf(stderr, "chatctl: chat: %s: %s\n", code.c_str(), message.c_str());
}

// Where the rooms of the last run are kept: $XDG_STATE_HOME/chatctl/chat-rooms, else
// ~/.local/state/chatctl/chat-rooms. Empty when neither is known.
std::filesystem::path StateFile() {
  if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && state[0] != '\0') {
    return std::filesystem::path(state) / "chatctl" / "chat-rooms";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0') {
    return std::filesystem::path(home) / ".local" / "state" / "chatctl" / "chat-rooms";
  }
  return {};
}

std::vector<std::string> LoadRooms(const std::filesystem::path& file) {
  std::vector<std::string> rooms;
  if (file.empty()) return rooms;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (IsValidRoomName(line) || IsDmChannel(line)) rooms.push_back(line);
  }
  return rooms;
}

// Best effort: a client that cannot write its state still chats.
void SaveRooms(const std::filesystem::path& file, const std::vector<std::string>& rooms) {
  if (file.empty()) return;
  std::error_code ignored;
  std::filesystem::create_directories(file.parent_path(), ignored);
  std::ofstream out(file, std::ios::trunc);
  for (const auto& room : rooms) out << room << '\n';
}

// Reads a password from the terminal without echo.
std::string PromptPassword(const std::string& user) {
  std::fprintf(stderr, "password for %s: ", user.c_str());
  std::fflush(stderr);
  termios saved{};
  bool have = tcgetattr(STDIN_FILENO, &saved) == 0;
  if (have) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (have) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  std::fprintf(stderr, "\n");
  return password;
}

int RunChat(ChatOptions& o) {
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
    Fail("bad_request",
         "chat needs a terminal; use `chatctl send` and `chatctl tail -f` from scripts");
    return kExitUsage;
  }
  std::setlocale(LC_ALL, "");
  ResolveClientOptions(o.client);
  auto urls = ParseWsUrlList(o.client.url);
  if (!urls.ok()) {
    Fail(urls.error().code, urls.error().message);
    return kExitUsage;
  }
  if (!o.to.empty() && !IsValidUserName(o.to)) {
    Fail("bad_request", "--to '" + o.to + "' is not a user name");
    return kExitUsage;
  }
  for (const auto& channel : o.channels) {
    if (!IsValidRoomName(channel)) {
      Fail("bad_request", "'" + channel + "' is not a room name");
      return kExitUsage;
    }
  }
  auto login = LoginCredentials(o.client);
  if (!login.ok()) {
    Fail(login.error().code, login.error().message);
    return kExitUsage;
  }
  chatctl::Credentials credentials = std::move(login).value();
  auto first = ChatClient::Connect(*urls, credentials, 10s);
  if (!first.ok() && first.error().code == "unauthorized" && credentials.token.empty() &&
      credentials.password.empty() && !credentials.user.empty()) {
    // A node with accounts wants a password and none was given: ask for it.
    credentials.password = PromptPassword(credentials.user);
    first = ChatClient::Connect(*urls, credentials, 10s);
  }
  if (!first.ok()) {
    Fail(first.error().code, first.error().message);
    return first.error().code == "unauthorized" ? kExitUnauthorized : kExitUnavailable;
  }
  std::string user = (*first)->user();

  std::filesystem::path state = StateFile();
  std::vector<std::string> channels = o.channels;
  if (!o.to.empty()) channels.insert(channels.begin(), DmChannel(user, o.to));
  if (channels.empty()) channels = LoadRooms(state);

  chatctl::chat::ConnectionOptions net{*urls, credentials, o.last};
  chatctl::chat::Connection connection(std::move(net));
  std::vector<std::string> open;
  int code = kExitOk;
  {
    chat::Terminal terminal;
    chat::App app(terminal, connection, user, {channels, o.scrollback});
    connection.Start(std::move(first).value());
    code = app.Run();
    open = app.OpenChannels();
  }  // the terminal is restored here, before anything more is printed
  connection.Stop();
  SaveRooms(state, open);
  return code;
}

}  // namespace

Command SetupChat(CLI::App& parent) {
  auto o = std::make_shared<ChatOptions>();
  CLI::App* app = parent.add_subcommand("chat", "Chat interactively in a terminal");
  AddClientOptions(*app, o->client);
  AddPasswordOption(*app, o->client);
  app->add_option("-c,--channel", o->channels,
                  "Room to open (repeat for several; default: the rooms of the last run)")
      ->type_name("CHANNEL");
  app->add_option("--to", o->to, "Open a direct conversation with USER")->type_name("USER");
  app->add_option("-n,--last", o->last, "How many recent messages each room shows on opening")
      ->type_name("N")
      ->capture_default_str();
  app->add_option("--scrollback", o->scrollback, "Lines kept per room")
      ->type_name("LINES")
      ->capture_default_str();
  return {app, [o] { return RunChat(*o); }};
}

}  // namespace chatctl::cmd
