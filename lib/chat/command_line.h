// What a line typed into the chat client asks for: text to say, or a /command with its arguments.
// Parsing only; the UI thread carries the command out. "//text" says "/text".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chatctl::chat {

enum class CommandKind {
  kSay,     // text: the line
  kMe,      // text: the action ("/me waves" is said as "* alice waves")
  kJoin,    // arg: room or @user
  kLeave,   // arg: room (empty: the room on screen)
  kMsg,     // arg: user, text: the message
  kWho,     // arg: room (empty: the room on screen)
  kTopic,   // text: the new topic (empty: show it)
  kInvite,  // arg: user
  kKick,    // arg: user
  kBan,     // arg: user
  kEdit,    // text: the new text of the user's last message in the room
  kDelete,  // the user's last message in the room
  kReact,   // arg: the emoji, on the last message in the room
  kClose,   // take the room off the list without leaving it on the node
  kHelp,
  kQuit,
  kUnknown,  // arg: the command as typed
  kUsage,    // a known command used wrongly; text: how to use it
};

struct ChatCommand {
  CommandKind kind = CommandKind::kSay;
  std::string arg;
  std::string text;
};

ChatCommand ParseCommandLine(std::string_view line);

// The commands, for /help and Tab completion: "/join ROOM", ... in the order /help lists them.
struct CommandHelp {
  const char* name;   // "/join"
  const char* usage;  // "/join ROOM"
  const char* what;
};
const std::vector<CommandHelp>& CommandTable();

}  // namespace chatctl::chat
