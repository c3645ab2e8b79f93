// What `chatctl chat` does with a typed line (see app.h): text said in the room on screen, or a
// /command (lib/chat/command_line.h) carried out, its refusals shown in the room.
#include "cmd/chat/app.h"
#include "lib/chat/text_width.h"
#include "lib/names.h"

namespace chatctl::cmd::chat {

namespace {

using json = nlohmann::json;
using chatctl::chat::ChatCommand;
using chatctl::chat::CommandKind;

// The newest message in `room` that `from` wrote (anyone's when `from` is empty); nullptr if none.
const chatctl::chat::ChatLine* LastMessage(const chatctl::chat::Room& room,
                                           const std::string& from) {
  for (auto it = room.lines.rbegin(); it != room.lines.rend(); ++it) {
    if (it->kind == chatctl::chat::LineKind::kMessage && !it->deleted &&
        (from.empty() || it->from == from)) {
      return &*it;
    }
  }
  return nullptr;
}

}  // namespace

std::string App::ChannelFor(const std::string& room_or_user) const {
  if (!room_or_user.empty() && room_or_user[0] == '@') {
    return DmChannel(rooms_.self(), room_or_user.substr(1));
  }
  if (!room_or_user.empty() && room_or_user[0] == '#') return room_or_user.substr(1);
  return room_or_user;
}

void App::Submit() {
  std::string line = chatctl::chat::Narrow(input_.Take());
  if (switcher_) {
    switcher_ = false;
    for (std::size_t i = 0; i < rooms_.size(); ++i) {
      if (rooms_.at(i).title.find(line) != std::string::npos) {
        rooms_.Activate(i);
        return;
      }
    }
    return;
  }
  if (editing_ != 0) {
    std::uint64_t id = editing_;
    editing_ = 0;
    if (line.empty()) return;
    Request(
        {{"type", "edit"}, {"channel", editing_channel_}, {"id", IdToString(id)}, {"text", line}},
        {Awaited::kCommand, editing_channel_, 0, "edit"});
    return;
  }
  if (line.empty()) return;
  Execute(chatctl::chat::ParseCommandLine(line));
}

void App::Execute(const ChatCommand& command) {
  chatctl::chat::Room* room = rooms_.active();
  std::string here = room != nullptr ? room->channel : std::string();
  auto need_room = [&] {
    if (room == nullptr) Note("no room open: /join ROOM first");
    return room != nullptr;
  };
  switch (command.kind) {
    case CommandKind::kSay:
    case CommandKind::kMe:
      if (!need_room()) return;
      Say(here, "", command.kind == CommandKind::kMe ? "/me " + command.text : command.text);
      return;
    case CommandKind::kJoin: {
      std::string channel = ChannelFor(command.arg);
      if (!IsValidRoomName(channel) && !IsDmChannel(channel)) {
        Note("/join: '" + command.arg + "' is not a room name");
        return;
      }
      OpenRoom(channel, true);
      return;
    }
    case CommandKind::kLeave: {
      std::string channel = command.arg.empty() ? here : ChannelFor(command.arg);
      if (channel.empty() || rooms_.Find(channel) == nullptr) {
        Note("/leave: not in " + (command.arg.empty() ? std::string("a room") : command.arg));
        return;
      }
      connection_.Leave(channel);
      rooms_.Close(channel);
      return;
    }
    case CommandKind::kClose:
      if (!need_room()) return;
      connection_.Leave(here);
      rooms_.Close(here);
      return;
    case CommandKind::kMsg: {
      std::string user = command.arg[0] == '@' ? command.arg.substr(1) : command.arg;
      if (!IsValidUserName(user)) {
        Note("/msg: '" + command.arg + "' is not a user name");
        return;
      }
      std::string channel = DmChannel(rooms_.self(), user);
      OpenRoom(channel, true);
      Say(channel, user, command.text);
      return;
    }
    case CommandKind::kWho: {
      std::string channel = command.arg.empty() ? here : ChannelFor(command.arg);
      if (channel.empty()) {
        Note("/who: which room?");
        return;
      }
      if (rooms_.Find(channel) == nullptr) OpenRoom(channel, false);
      Request({{"type", "presence"}, {"channel", channel}}, {Awaited::kWho, channel, 0, "who"});
      return;
    }
    case CommandKind::kTopic:
      if (!need_room()) return;
      if (command.text.empty()) {
        Note(room->topic.empty() ? "no topic set" : "topic: " + room->topic);
        return;
      }
      Request({{"type", "topic"}, {"channel", here}, {"topic", command.text}},
              {Awaited::kCommand, here, 0, "topic"});
      return;
    case CommandKind::kInvite:
    case CommandKind::kKick:
    case CommandKind::kBan: {
      if (!need_room()) return;
      const char* type = command.kind == CommandKind::kInvite ? "invite"
                         : command.kind == CommandKind::kKick ? "kick"
                                                              : "ban";
      Request({{"type", type}, {"channel", here}, {"user", command.arg}},
              {Awaited::kCommand, here, 0, type});
      return;
    }
    case CommandKind::kEdit:
    case CommandKind::kDelete:
    case CommandKind::kReact: {
      if (!need_room()) return;
      bool react = command.kind == CommandKind::kReact;
      const chatctl::chat::ChatLine* target = LastMessage(*room, react ? "" : rooms_.self());
      if (target == nullptr) {
        Note(react ? "/react: no message to react to" : "you have no message here to change");
        return;
      }
      json request = {{"channel", here}, {"id", IdToString(target->id)}};
      const char* type = react ? "react" : command.kind == CommandKind::kEdit ? "edit" : "delete";
      request["type"] = type;
      if (react) request["emoji"] = command.arg;
      if (command.kind == CommandKind::kEdit) request["text"] = command.text;
      Request(std::move(request), {Awaited::kCommand, here, 0, type});
      return;
    }
    case CommandKind::kHelp:
      ShowHelp();
      return;
    case CommandKind::kQuit:
      quit_ = true;
      return;
    case CommandKind::kUnknown:
      Note("unknown command " + command.arg + " (/help lists them; //text says /text)");
      return;
    case CommandKind::kUsage:
      Note("usage: " + command.text);
      return;
  }
}

void App::ShowHelp() {
  Note("commands:");
  for (const auto& c : chatctl::chat::CommandTable()) {
    Note(std::string("  ") + c.usage + " \u2014 " + c.what);
  }
  Note(
      "keys: Alt-1..9 room, Alt-\u2190/\u2192 or Ctrl-P/N previous/next room, Alt-A next unread,"
      " Ctrl-K (empty line) switch room, PgUp/PgDn scroll, Tab complete, \u2191 (empty line) edit"
      " your last message, Alt-Enter newline, F2 or Alt-M members, Ctrl-L redraw, Ctrl-C quit");
}

}  // namespace chatctl::cmd::chat
