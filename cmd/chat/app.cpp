// The UI loop of `chatctl chat` and what it does with the network's events (see app.h). Typed
// commands are carried out in commands.cpp.
#include "cmd/chat/app.h"

#include <curses.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <optional>

#include "cmd/chat/key_latency.h"
#include "lib/chat/completion.h"
#include "lib/chat/text_width.h"
#include "lib/names.h"

namespace chatctl::cmd::chat {

namespace {

using json = nlohmann::json;
using chatctl::chat::IncomingMessage;
using chatctl::chat::LineKind;
using chatctl::chat::NetEvent;

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "👍 2 🎉 1" from a "reactions" object: emoji to the users who reacted.
std::string ReactionSummary(const json& reactions) {
  std::string summary;
  if (!reactions.is_object()) return summary;
  for (const auto& [emoji, users] : reactions.items()) {
    if (!users.is_array() || users.empty()) continue;
    summary += (summary.empty() ? "" : " ") + emoji + " " + std::to_string(users.size());
  }
  return summary;
}

std::optional<IncomingMessage> MessageOf(const json& m) {
  auto id = ParseId(m.value("id", std::string()));
  if (!id || !m.contains("channel")) return std::nullopt;
  IncomingMessage message{*id, m.value("channel", std::string()), m.value("from", std::string()),
                          m.value("text", std::string()), m.value("ts", std::int64_t{0})};
  message.edited = m.contains("edited_ts");
  message.deleted = m.value("deleted", false);
  if (auto reactions = m.find("reactions"); reactions != m.end()) {
    message.reactions = ReactionSummary(*reactions);
  }
  return message;
}

}  // namespace

App::App(Terminal& terminal, chatctl::chat::Connection& connection, std::string user,
         AppOptions options)
    : terminal_(terminal),
      connection_(connection),
      rooms_(std::move(user), options.scrollback),
      options_(std::move(options)) {
  for (const auto& channel : options_.channels) OpenRoom(channel, false);
  if (!rooms_.empty()) rooms_.Activate(std::size_t{0});
  status_ = rooms_.self() + " \u00b7 connecting";
}

std::vector<std::string> App::OpenChannels() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < rooms_.size(); ++i) out.push_back(rooms_.at(i).channel);
  return out;
}

void App::OpenRoom(const std::string& channel, bool activate) {
  bool known = rooms_.Find(channel) != nullptr;
  rooms_.Open(channel);
  if (!known) connection_.Join(channel);
  if (activate) rooms_.Activate(channel);
}

void App::Note(const std::string& text) {
  if (rooms_.empty()) {
    hint_ = text;  // no room to say it in yet
    return;
  }
  rooms_.Note(text, NowMs());
}

void App::Request(json request, Awaited awaited) {
  std::uint64_t tag = next_tag_++;
  awaited_[tag] = std::move(awaited);
  connection_.Post({std::move(request), tag});
}

void App::Say(const std::string& channel, const std::string& to, std::string text) {
  std::uint64_t local = rooms_.AddPending(channel, text, NowMs());
  json request = {{"type", "send"}, {"text", std::move(text)}};
  if (!to.empty()) {
    request["to"] = to;
  } else {
    request["channel"] = channel;
  }
  Request(std::move(request), {Awaited::kSend, channel, local, ""});
}

void App::PageUp() {
  chatctl::chat::Room* room = rooms_.active();
  if (room == nullptr) return;
  if (screen_.at_top() && room->more_history && room->oldest != 0 &&
      !history_in_flight_[room->channel]) {
    history_in_flight_[room->channel] = true;
    Request({{"type", "history"},
             {"channel", room->channel},
             {"before", IdToString(room->oldest)},
             {"limit", 50}},
            {Awaited::kHistory, room->channel, 0, ""});
  }
  room->scroll += screen_.page_rows();
}

void App::OnKey(const KeyPress& key) {
  chatctl::chat::Room* room = rooms_.active();
  if (key.action != Action::kComplete) hint_.clear();
  switch (key.action) {
    case Action::kNone:
    case Action::kResize:
      break;
    case Action::kInsert:
      input_.Insert(key.ch);
      break;
    case Action::kSubmit:
      Submit();
      break;
    case Action::kNewline:
      input_.Insert(L'\n');
      break;
    case Action::kBackspace:
      input_.Backspace();
      break;
    case Action::kDelete:
      input_.Delete();
      break;
    case Action::kLeft:
      input_.Left();
      break;
    case Action::kRight:
      input_.Right();
      break;
    case Action::kHome:
      input_.Home();
      break;
    case Action::kEnd:
      input_.End();
      break;
    case Action::kWordLeft:
      input_.WordLeft();
      break;
    case Action::kWordRight:
      input_.WordRight();
      break;
    case Action::kKillWord:
      input_.KillWordBack();
      break;
    case Action::kKillStart:
      input_.KillToStart();
      break;
    case Action::kKillEnd:
      if (input_.empty() && !switcher_) {
        switcher_ = true;
      } else {
        input_.KillToEnd();
      }
      break;
    case Action::kYank:
      input_.Yank();
      break;
    case Action::kUp:
      if (input_.empty() && editing_ == 0 && room != nullptr) {
        // ↑ on an empty line edits the user's newest message in this room.
        for (auto it = room->lines.rbegin(); it != room->lines.rend(); ++it) {
          if (it->kind == LineKind::kMessage && it->from == rooms_.self()) {
            editing_ = it->id;
            editing_channel_ = room->channel;
            input_.Set(chatctl::chat::Widen(it->text));
            break;
          }
        }
        if (editing_ != 0) break;
      }
      input_.HistoryUp();
      break;
    case Action::kDown:
      input_.HistoryDown();
      break;
    case Action::kPageUp:
      PageUp();
      break;
    case Action::kPageDown:
      if (room != nullptr) room->scroll = std::max(0, room->scroll - screen_.page_rows());
      break;
    case Action::kPreviousRoom:
      rooms_.Previous();
      break;
    case Action::kNextRoom:
      rooms_.Next();
      break;
    case Action::kRoom:
      rooms_.Activate(static_cast<std::size_t>(key.room));
      break;
    case Action::kNextUnread:
      rooms_.NextUnread();
      break;
    case Action::kRedraw:
      clearok(curscr, TRUE);
      break;
    case Action::kComplete: {
      chatctl::chat::CompletionSources sources;
      for (const auto& c : chatctl::chat::CommandTable()) sources.commands.push_back(c.name);
      for (std::size_t i = 0; i < rooms_.size(); ++i) {
        if (!IsDmChannel(rooms_.at(i).channel)) sources.rooms.push_back(rooms_.at(i).channel);
      }
      if (room != nullptr) {
        sources.users.assign(room->members.begin(), room->members.end());
        for (const auto& line : room->lines) {
          if (!line.from.empty()) sources.users.push_back(line.from);
        }
      }
      auto matches = chatctl::chat::Complete(input_, sources);
      hint_.clear();
      if (matches.size() > 1) {
        for (const auto& m : matches) hint_ += (hint_.empty() ? "" : " ") + m;
      }
      break;
    }
    case Action::kCancel:
      switcher_ = false;
      if (editing_ != 0) input_.Take();
      editing_ = 0;
      break;
    case Action::kToggleMembers:
      show_members_ = !show_members_;
      if (show_members_ && room != nullptr) {
        Request({{"type", "presence"}, {"channel", room->channel}},
                {Awaited::kPresence, room->channel, 0, ""});
      }
      break;
    case Action::kMouse: {
      MEVENT mouse{};
      if (getmouse(&mouse) == OK && room != nullptr) {
        if (mouse.bstate & BUTTON4_PRESSED) {
          if (screen_.at_top()) {
            PageUp();
          } else {
            room->scroll += 3;
          }
        }
        if (mouse.bstate & BUTTON5_PRESSED) room->scroll = std::max(0, room->scroll - 3);
      }
      break;
    }
    case Action::kQuit:
      // Ctrl-D deletes like readline's, and quits only on an empty line.
      if (key.ch == 4 && !input_.empty()) {
        input_.Delete();
      } else {
        quit_ = true;
      }
      break;
  }
}

void App::OnEvent(NetEvent& event) {
  switch (event.kind) {
    case NetEvent::kConnected: {
      bool again = status_.find("disconnected") != std::string::npos;
      rooms_.set_self(event.user);
      status_ = event.user + "@" + event.node + " \u00b7 connected to " + event.text;
      if (again) Note("connection regained (" + event.text + ")");
      break;
    }
    case NetEvent::kLost:
      status_ = rooms_.self() + " \u00b7 disconnected: " + event.text + "; reconnecting";
      Note("connection lost: " + event.text + "; reconnecting");
      break;
    case NetEvent::kFatal:
      status_ = rooms_.self() + " \u00b7 disconnected: " + event.text;
      Note("disconnected: " + event.text + " (not reconnecting; /quit to leave)");
      break;
    case NetEvent::kJoined: {
      std::string channel = event.frame.value("channel", std::string());
      chatctl::chat::Room& room = rooms_.Open(channel);
      if (event.failed) {
        rooms_.AddEvent(channel, "cannot join: " + event.error.message, NowMs());
        break;
      }
      bool first = !room.joined;
      room.joined = true;
      // The history of a room just opened is not unread; what a rejoin after a reconnect brings
      // was missed, and is.
      for (const auto& m : event.frame.value("messages", json::array())) {
        if (auto message = MessageOf(m)) rooms_.AddMessage(*message, !first);
      }
      if (first) {
        Request({{"type", "presence"}, {"channel", channel}}, {Awaited::kPresence, channel, 0, ""});
        // The topic, for the title row; a dm has none.
        if (!IsDmChannel(channel)) {
          Request({{"type", "room"}, {"channel", channel}}, {Awaited::kRoom, channel, 0, ""});
        }
      }
      break;
    }
    case NetEvent::kFrame:
      OnFrame(event.frame);
      break;
    case NetEvent::kReply:
      OnReply(event);
      break;
  }
}

void App::OnFrame(const json& frame) {
  std::string type = frame.value("type", std::string());
  std::string channel = frame.value("channel", std::string());
  std::int64_t now = NowMs();
  if (type == "msg") {
    auto message = MessageOf(frame);
    if (!message) return;
    // A dm from someone new opens its room, joined so that a reconnect resumes it too.
    if (rooms_.Find(channel) == nullptr) OpenRoom(channel, false);
    rooms_.AddMessage(*message);
  } else if (rooms_.Find(channel) == nullptr) {
    if (type == "error") {
      Note("node says " + frame.value("code", std::string("?")) + ": " +
           frame.value("message", std::string()));
    }
  } else if (type == "presence") {
    chatctl::chat::Room& room = *rooms_.Find(channel);
    std::string user = frame.value("user", std::string());
    if (frame.value("state", std::string()) == "join") {
      if (room.members.insert(user).second) rooms_.AddEvent(channel, user + " joined", now);
    } else if (room.members.erase(user) != 0) {
      rooms_.AddEvent(channel, user + " left", now);
    }
  } else if (type == "topic") {
    chatctl::chat::Room& room = *rooms_.Find(channel);
    room.topic = frame.value("topic", std::string());
    rooms_.AddEvent(channel, frame.value("by", std::string("?")) + " set the topic: " + room.topic,
                    now);
  } else if (type == "member") {
    rooms_.AddEvent(channel,
                    frame.value("by", std::string("?")) + " made " +
                        frame.value("user", std::string("?")) + " " +
                        frame.value("role", std::string("?")),
                    now);
  } else if (type == "edit" || type == "delete" || type == "reaction") {
    auto id = ParseId(frame.value("id", std::string()));
    chatctl::chat::ChatLine* line = id ? rooms_.FindMessage(channel, *id) : nullptr;
    if (line == nullptr) return;  // older than the scrollback holds
    if (type == "edit") {
      line->text = frame.value("text", std::string());
      line->edited = true;
    } else if (type == "delete") {
      line->text.clear();
      line->deleted = true;
    } else {
      line->reactions = ReactionSummary(frame.value("reactions", json::object()));
    }
  } else if (type == "left") {
    rooms_.AddEvent(channel, "you are out of this room: " + frame.value("reason", std::string()),
                    now);
  }
}

void App::OnReply(NetEvent& event) {
  auto it = awaited_.find(event.tag);
  if (it == awaited_.end()) return;
  Awaited awaited = std::move(it->second);
  awaited_.erase(it);
  const json& reply = event.frame;
  switch (awaited.kind) {
    case Awaited::kSend:
      if (event.failed) {
        rooms_.Failed(awaited.local, event.error.message);
      } else if (auto id = ParseId(reply.value("id", std::string()))) {
        rooms_.Acked(awaited.local, reply.value("channel", awaited.channel), *id,
                     reply.value("ts", NowMs()));
      }
      break;
    case Awaited::kHistory:
      history_in_flight_[awaited.channel] = false;
      if (event.failed) {
        rooms_.AddEvent(awaited.channel, "cannot page history: " + event.error.message, NowMs());
      } else if (chatctl::chat::Room* room = rooms_.Find(awaited.channel)) {
        room->more_history = reply.value("more", false);
        for (const auto& m : reply.value("messages", json::array())) {
          if (auto message = MessageOf(m)) rooms_.AddMessage(*message);
        }
      }
      break;
    case Awaited::kPresence:
    case Awaited::kWho:
      if (event.failed) {
        if (awaited.kind == Awaited::kWho) Note("/who: " + event.error.message);
      } else if (chatctl::chat::Room* room = rooms_.Find(awaited.channel)) {
        room->members.clear();
        std::string list;
        for (const auto& user : reply.value("users", json::array())) {
          room->members.insert(user.get<std::string>());
          list += " " + user.get<std::string>();
        }
        if (awaited.kind == Awaited::kWho) {
          Note(std::to_string(room->members.size()) + " in " + room->title + ":" + list);
        }
      }
      break;
    case Awaited::kRoom:
      if (chatctl::chat::Room* room = rooms_.Find(awaited.channel);
          room != nullptr && !event.failed) {
        room->topic = reply.value("topic", std::string());
      }
      break;
    case Awaited::kCommand:
      if (event.failed) {
        Note("/" + awaited.what + " refused: " + event.error.code + ": " + event.error.message);
      } else if (awaited.what != "edit" && awaited.what != "delete" && awaited.what != "react") {
        Note("/" + awaited.what + ": done");  // those three show by their live event
      }
      break;
  }
}

void App::Draw() {
  View view;
  view.rooms = &rooms_;
  view.input = &input_;
  view.status = status_;
  view.show_members = show_members_;
  view.colors = terminal_.colors();
  view.hint = hint_;
  const chatctl::chat::Room* room = rooms_.active();
  if (switcher_) {
    view.prompt = "switch to: ";
    std::string filter = chatctl::chat::Narrow(input_.text());
    for (std::size_t i = 0; i < rooms_.size(); ++i) {
      if (rooms_.at(i).title.find(filter) != std::string::npos) {
        view.hint += (view.hint.empty() ? "" : " ") + rooms_.at(i).title;
      }
    }
  } else if (editing_ != 0) {
    view.prompt = "edit> ";
  } else {
    view.prompt = (room != nullptr ? room->title : std::string()) + "> ";
  }
  screen_.Draw(view, rooms_.active());
}

int App::Run() {
  using Clock = std::chrono::steady_clock;
  // A busy room redraws at most this often; a key redraws at once.
  constexpr auto kFrame = std::chrono::milliseconds(16);
  KeyLatency latency;
  Draw();
  auto drawn_at = Clock::now();
  bool dirty = false;  // network events filed but not drawn yet
  while (!quit_) {
    if (Terminal::StopRequested()) break;
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {connection_.events().fd(), POLLIN, 0}};
    int wait_ms = 1000;
    if (dirty) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(kFrame - (Clock::now() - drawn_at));
      wait_ms = static_cast<int>(std::max<std::int64_t>(0, left.count()));
    }
    int ready = poll(fds, 2, wait_ms);
    if (ready < 0 && errno != EINTR) break;
    if (fds[0].revents & (POLLHUP | POLLERR)) break;  // the terminal went away
    latency.Woke();
    bool keys = false;
    // Keys first: what the user types shows before a burst from the network is drawn.
    for (int n = 0; n < 4096; ++n) {
      wint_t key = 0;
      int got = get_wch(&key);
      if (got == ERR) break;
      keys = true;
      bool alt = false;
      if (got == OK && key == 27) {
        wint_t next = 0;
        int after = get_wch(&next);
        if (after != ERR) {
          alt = true;
          got = after;
          key = next;
        }
      }
      OnKey(Translate(got == KEY_CODE_YES, key, alt));
    }
    for (auto& event : connection_.events().TakeAll()) {
      OnEvent(event);
      dirty = true;
    }
    if (keys || (dirty && Clock::now() - drawn_at >= kFrame)) {
      Draw();
      drawn_at = Clock::now();
      dirty = false;
      if (keys) latency.Drawn();
    }
  }
  return 0;
}

}  // namespace chatctl::cmd::chat
