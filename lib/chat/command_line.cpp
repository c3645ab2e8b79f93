// Parsing of typed lines into commands (see command_line.h), table-driven: one row per command.
#include "lib/chat/command_line.h"

#include <algorithm>

namespace chatctl::chat {

namespace {

enum class Shape { kNone, kOptionalArg, kArg, kArgAndText, kText, kOptionalText };

struct Row {
  CommandHelp help;
  CommandKind kind;
  Shape shape;
};

const std::vector<Row>& Rows() {
  static const std::vector<Row> rows = {
      {{"/join", "/join ROOM|@USER", "open a room (or a dm) and show its history"},
       CommandKind::kJoin,
       Shape::kArg},
      {{"/leave", "/leave [ROOM]", "leave the room on screen (or ROOM)"},
       CommandKind::kLeave,
       Shape::kOptionalArg},
      {{"/msg", "/msg USER TEXT", "send a direct message"}, CommandKind::kMsg, Shape::kArgAndText},
      {{"/me", "/me ACTION", "say what you are doing"}, CommandKind::kMe, Shape::kText},
      {{"/who", "/who [ROOM]", "list who is in the room"}, CommandKind::kWho, Shape::kOptionalArg},
      {{"/topic", "/topic [TEXT]", "show or set the room's topic"},
       CommandKind::kTopic,
       Shape::kOptionalText},
      {{"/react", "/react EMOJI", "react to the last message in the room"},
       CommandKind::kReact,
       Shape::kArg},
      {{"/edit", "/edit TEXT", "change your last message in the room (or \u2191 on an empty line)"},
       CommandKind::kEdit,
       Shape::kText},
      {{"/delete", "/delete", "delete your last message in the room"},
       CommandKind::kDelete,
       Shape::kNone},
      {{"/invite", "/invite USER", "invite a user into a private room (room admins)"},
       CommandKind::kInvite,
       Shape::kArg},
      {{"/kick", "/kick USER", "kick a user out of the room (room admins)"},
       CommandKind::kKick,
       Shape::kArg},
      {{"/ban", "/ban USER", "ban a user from the room (room admins)"},
       CommandKind::kBan,
       Shape::kArg},
      {{"/close", "/close", "take the room off the list, staying in it"},
       CommandKind::kClose,
       Shape::kNone},
      {{"/help", "/help", "show the commands and keys"}, CommandKind::kHelp, Shape::kNone},
      {{"/quit", "/quit", "leave chatctl chat"}, CommandKind::kQuit, Shape::kNone},
  };
  return rows;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

const std::vector<CommandHelp>& CommandTable() {
  static const std::vector<CommandHelp> table = [] {
    std::vector<CommandHelp> out;
    for (const auto& row : Rows()) out.push_back(row.help);
    return out;
  }();
  return table;
}

ChatCommand ParseCommandLine(std::string_view line) {
  if (line.empty() || line.front() != '/') return {CommandKind::kSay, "", std::string(line)};
  if (line.size() > 1 && line[1] == '/')
    return {CommandKind::kSay, "", std::string(line.substr(1))};
  std::size_t space = line.find(' ');
  std::string name(line.substr(0, space));
  std::string_view rest = space == std::string_view::npos ? "" : Trim(line.substr(space + 1));
  auto row =
      std::find_if(Rows().begin(), Rows().end(), [&](const Row& r) { return name == r.help.name; });
  if (row == Rows().end()) return {CommandKind::kUnknown, name, ""};
  ChatCommand command{row->kind, "", ""};
  auto usage = [&] { return ChatCommand{CommandKind::kUsage, name, row->help.usage}; };
  switch (row->shape) {
    case Shape::kNone:
      break;
    case Shape::kOptionalArg:
    case Shape::kArg:
      if (rest.find(' ') != std::string_view::npos) return usage();
      if (row->shape == Shape::kArg && rest.empty()) return usage();
      command.arg = rest;
      break;
    case Shape::kArgAndText: {
      std::size_t gap = rest.find(' ');
      if (gap == std::string_view::npos) return usage();
      command.arg = rest.substr(0, gap);
      command.text = Trim(rest.substr(gap + 1));
      break;
    }
    case Shape::kText:
      if (rest.empty()) return usage();
      command.text = rest;
      break;
    case Shape::kOptionalText:
      command.text = rest;
      break;
  }
  return command;
}

}  // namespace chatctl::chat
