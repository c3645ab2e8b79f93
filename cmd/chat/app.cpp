// The UI loop of `chatctl chat`: keys to edits and actions, requests to the network thread, the
// redraw (see app.h). Network events are filed in net_events.cpp, typed commands in commands.cpp.
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
using chatctl::chat::LineKind;

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
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
