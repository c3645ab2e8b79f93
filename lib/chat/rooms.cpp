// The rules of the chat client's rooms (see rooms.h): ordering by id, at most once, unread counts,
// mentions, pending lines and the scrollback cap.
#include "lib/chat/rooms.h"

#include <algorithm>
#include <cctype>
#include <iterator>

#include "lib/names.h"

namespace chatctl::chat {

namespace {

ChatLine Line(LineKind kind, MessageId id, std::int64_t ts, std::string from, std::string text) {
  ChatLine line;
  line.kind = kind;
  line.id = id;
  line.ts = ts;
  line.from = std::move(from);
  line.text = std::move(text);
  return line;
}

}  // namespace

Rooms::Rooms(std::string self, std::size_t cap)
    : self_(std::move(self)), cap_(std::max<std::size_t>(cap, 1)) {}

std::string Rooms::TitleOf(const std::string& channel) const {
  if (auto users = ParseDmChannel(channel)) {
    return "@" + (users->first == self_ ? users->second : users->first);
  }
  return "#" + channel;
}

Room* Rooms::Find(const std::string& channel) {
  for (auto& room : rooms_) {
    if (room.channel == channel) return &room;
  }
  return nullptr;
}

Room& Rooms::Open(const std::string& channel) {
  if (Room* room = Find(channel)) return *room;
  Room room;
  room.channel = channel;
  room.title = TitleOf(channel);
  rooms_.push_back(std::move(room));
  return rooms_.back();
}

void Rooms::Close(const std::string& channel) {
  auto it = std::find_if(rooms_.begin(), rooms_.end(),
                         [&](const Room& r) { return r.channel == channel; });
  if (it == rooms_.end()) return;
  auto index = static_cast<std::size_t>(it - rooms_.begin());
  rooms_.erase(it);
  if (active_ > index || active_ >= rooms_.size()) active_ = active_ > 0 ? active_ - 1 : 0;
}

bool Rooms::Mentions(const std::string& text) const {
  if (self_.empty()) return false;
  // The name as a word of its own, in any case: "Alice:" and "@alice" do, "malice" does not.
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  auto word = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  };
  for (std::size_t at = 0; at + self_.size() <= text.size(); ++at) {
    bool match = true;
    for (std::size_t k = 0; k < self_.size() && match; ++k) match = lower(text[at + k]) == self_[k];
    if (!match) continue;
    bool starts = at == 0 || !word(text[at - 1]);
    std::size_t end = at + self_.size();
    // A trailing '.' or '-' ends a sentence more often than it continues a name.
    bool ends = end == text.size() || !word(text[end]) || text[end] == '.' || text[end] == '-';
    if (starts && ends) return true;
  }
  return false;
}

void Rooms::Trim(Room& room) {
  while (room.lines.size() > cap_) {
    const ChatLine& oldest = room.lines.front();
    if (oldest.kind == LineKind::kMessage) room.seen.erase(oldest.id);
    room.lines.pop_front();
    room.more_history = true;
  }
  // The next history page starts before the oldest message still held.
  for (const auto& line : room.lines) {
    if (line.kind == LineKind::kMessage) {
      room.oldest = line.id;
      break;
    }
  }
}

bool Rooms::AddMessage(const IncomingMessage& m, bool news) {
  Room& room = Open(m.channel);
  if (!room.seen.insert(m.id).second) {
    if (ChatLine* shown = FindMessage(m.channel, m.id)) {
      if (m.edited || m.deleted) shown->text = m.text;
      shown->edited = shown->edited || m.edited;
      shown->deleted = shown->deleted || m.deleted;
      if (!m.reactions.empty()) shown->reactions = m.reactions;
    }
    return false;
  }
  if (m.from == self_) {
    // Our own line marked failed that the node did store (the connection dropped between its
    // commit and its ack): the replay after the reconnect turns it into the message it became.
    for (auto it = room.lines.rbegin(); it != room.lines.rend(); ++it) {
      if (it->kind == LineKind::kFailed && it->text == m.text) {
        it->kind = LineKind::kMessage;
        it->id = m.id;
        it->ts = m.ts;
        it->note.clear();
        room.newest = std::max(room.newest, m.id);
        return true;
      }
    }
  }
  ChatLine line = Line(LineKind::kMessage, m.id, m.ts, m.from, m.text);
  line.edited = m.edited;
  line.deleted = m.deleted;
  line.reactions = m.reactions;
  // Most messages are the newest yet; a history page is older than everything. Search from the end
  // for the place by id, passing over lines without one.
  auto pos = room.lines.end();
  while (pos != room.lines.begin()) {
    auto before = std::prev(pos);
    if (before->kind == LineKind::kMessage && before->id < m.id) break;
    if (before->kind != LineKind::kMessage && m.id > room.newest) break;
    pos = before;
  }
  bool at_end = pos == room.lines.end();
  room.lines.insert(pos, std::move(line));
  room.newest = std::max(room.newest, m.id);
  if (room.oldest == 0 || m.id < room.oldest) room.oldest = m.id;
  bool on_screen = active() == &room;
  if (news && at_end && m.from != self_ && !on_screen) {
    ++room.unread;
    if (Mentions(m.text) || IsDmChannel(m.channel)) room.mention = true;
  }
  Trim(room);
  return true;
}

std::uint64_t Rooms::AddPending(const std::string& channel, std::string text, std::int64_t now_ms) {
  Room& room = Open(channel);
  ChatLine line = Line(LineKind::kPending, 0, now_ms, self_, std::move(text));
  line.local = next_local_++;
  room.lines.push_back(std::move(line));
  room.scroll = 0;
  Trim(room);
  return room.lines.back().local;
}

ChatLine* Rooms::FindLocal(std::uint64_t local, Room** found) {
  for (auto& room : rooms_) {
    for (auto it = room.lines.rbegin(); it != room.lines.rend(); ++it) {
      if (it->local == local) {
        *found = &room;
        return &*it;
      }
    }
  }
  return nullptr;
}

void Rooms::Acked(std::uint64_t local, const std::string& channel, MessageId id, std::int64_t ts) {
  Room* room = nullptr;
  ChatLine* line = FindLocal(local, &room);
  if (line == nullptr) return;
  if (room->channel != channel) {
    // A `/msg bob` line waits in the room it was typed in; its dm now has an id.
    line->kind = LineKind::kMessage;
    line->id = id;
    AddMessage({id, channel, self_, line->text, ts});
    return;
  }
  if (room->seen.count(id) != 0) {
    // The echo of our own message came first: it is on screen already, drop the pending copy.
    for (auto it = room->lines.begin(); it != room->lines.end(); ++it) {
      if (it->local == local && it->kind != LineKind::kMessage) {
        room->lines.erase(it);
        break;
      }
    }
    return;
  }
  line->kind = LineKind::kMessage;
  line->id = id;
  line->ts = ts;
  line->note.clear();
  room->seen.insert(id);
  room->newest = std::max(room->newest, id);
}

void Rooms::Failed(std::uint64_t local, std::string why) {
  Room* room = nullptr;
  ChatLine* line = FindLocal(local, &room);
  if (line == nullptr || line->kind == LineKind::kMessage) return;
  line->kind = LineKind::kFailed;
  line->note = std::move(why);
}

ChatLine* Rooms::FindMessage(const std::string& channel, MessageId id) {
  Room* room = Find(channel);
  if (room == nullptr) return nullptr;
  // From the end: changes are mostly to recent messages. Not a search by id order: a line acked
  // here keeps the place it was typed in.
  for (auto it = room->lines.rbegin(); it != room->lines.rend(); ++it) {
    if (it->kind == LineKind::kMessage && it->id == id) return &*it;
  }
  return nullptr;
}

void Rooms::AddEvent(const std::string& channel, std::string text, std::int64_t now_ms) {
  Room& room = Open(channel);
  room.lines.push_back(Line(LineKind::kEvent, 0, now_ms, "", std::move(text)));
  Trim(room);
}

void Rooms::Note(std::string text, std::int64_t now_ms) {
  if (rooms_.empty()) return;
  Room& room = rooms_[active_];
  room.lines.push_back(Line(LineKind::kEvent, 0, now_ms, "", std::move(text)));
  Trim(room);
}

void Rooms::Activate(std::size_t i) {
  if (i >= rooms_.size()) return;
  active_ = i;
  rooms_[i].unread = 0;
  rooms_[i].mention = false;
}

void Rooms::Activate(const std::string& channel) {
  for (std::size_t i = 0; i < rooms_.size(); ++i) {
    if (rooms_[i].channel == channel) Activate(i);
  }
}

void Rooms::Next() {
  if (!rooms_.empty()) Activate((active_ + 1) % rooms_.size());
}

void Rooms::Previous() {
  if (!rooms_.empty()) Activate((active_ + rooms_.size() - 1) % rooms_.size());
}

bool Rooms::NextUnread() {
  std::size_t n = rooms_.size();
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t k = 1; k <= n; ++k) {
      std::size_t i = (active_ + k) % n;
      bool wanted = pass == 0 ? rooms_[i].mention : rooms_[i].unread > 0;
      if (wanted && i != active_) {
        Activate(i);
        return true;
      }
    }
  }
  return false;
}

}  // namespace chatctl::chat
