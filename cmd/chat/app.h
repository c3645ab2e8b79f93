// The UI thread of `chatctl chat`: it alone owns the terminal, the rooms model and the input line.
// It sleeps in poll() on stdin and the network thread's event pipe, files what the network sends
// into the model, turns keys into edits and typed lines into requests (Connection::Post), and
// redraws after each batch. The network thread (lib/chat/connection.h) owns the socket.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cmd/chat/keys.h"
#include "cmd/chat/screen.h"
#include "cmd/chat/terminal.h"
#include "lib/chat/command_line.h"
#include "lib/chat/connection.h"
#include "lib/chat/input_line.h"
#include "lib/chat/rooms.h"

namespace chatctl::cmd::chat {

struct AppOptions {
  std::vector<std::string> channels;  // opened in this order; the first is on screen
  std::size_t scrollback = 10000;     // lines kept per room
};

class App {
 public:
  App(Terminal& terminal, chatctl::chat::Connection& connection, std::string user,
      AppOptions options);
  // Runs until /quit, Ctrl-C or a stop signal; returns the exit code.
  int Run();
  // The rooms open at the end, for the next run to open again.
  std::vector<std::string> OpenChannels() const;

 private:
  // What a request's reply means to us, by the tag it went out with.
  struct Awaited {
    enum Kind { kSend, kHistory, kPresence, kWho, kRoom, kCommand } kind;
    std::string channel;
    std::uint64_t local = 0;  // kSend: the pending line
    std::string what;         // kCommand: "topic", "kick", ... for the answer
  };

  void OnKey(const KeyPress& key);
  void OnEvent(chatctl::chat::NetEvent& event);
  void OnFrame(const nlohmann::json& frame);
  void OnReply(chatctl::chat::NetEvent& event);
  void Submit();
  void Execute(const chatctl::chat::ChatCommand& command);
  void Say(const std::string& channel, const std::string& to, std::string text);
  void OpenRoom(const std::string& channel, bool activate);
  void Request(nlohmann::json request, Awaited awaited);
  void PageUp();
  void Note(const std::string& text);
  void ShowHelp();
  void Draw();
  std::string ChannelFor(const std::string& room_or_user) const;

  Terminal& terminal_;
  chatctl::chat::Connection& connection_;
  chatctl::chat::Rooms rooms_;
  chatctl::chat::InputLine input_;
  Screen screen_;
  AppOptions options_;
  std::string status_;
  std::string hint_;
  bool show_members_ = false;
  bool quit_ = false;
  bool switcher_ = false;      // Ctrl-K: the input line filters rooms
  std::uint64_t editing_ = 0;  // the id of the own message being edited (↑ on empty line)
  std::string editing_channel_;
  std::uint64_t next_tag_ = 1;
  std::map<std::uint64_t, Awaited> awaited_;
  std::map<std::string, bool> history_in_flight_;
};

}  // namespace chatctl::cmd::chat
