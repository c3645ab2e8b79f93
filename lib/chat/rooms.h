// What the chat client knows of its rooms: for each, the lines to show (messages in id order,
// events, the user's own lines pending or failed), the unread count and mention mark, members and
// scroll position; and which room is on screen. Pure state fed by the UI thread from the network's
// events, with no terminal, so every rule here is unit-tested. Owned by the UI thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "lib/ids.h"

namespace chatctl::chat {

enum class LineKind {
  kMessage,  // a message the node stored (has an id)
  kPending,  // typed here, sent, no ack yet
  kFailed,   // typed here and refused, or the connection dropped before its ack: kept, marked
  kEvent,    // a join, topic change, connection note, command answer: no author
};

struct ChatLine {
  LineKind kind = LineKind::kEvent;
  MessageId id = 0;         // kMessage only
  std::int64_t ts = 0;      // ms since the epoch; for pending lines, when typed
  std::string from;         // as the node sent it: made printable when drawn
  std::string text;         // likewise
  std::uint64_t local = 0;  // the client's number for a line it sent (kPending, kFailed, and kept
                            // on the kMessage it becomes)
  std::string note;         // why a kFailed line failed
  bool edited = false;
  bool deleted = false;
  std::string reactions;  // "👍 2 🎉 1": the totals, as the node last told them
};

struct Room {
  std::string channel;  // as on the wire: "general", "dm:alice:bob"
  std::string title;    // as listed: "#general", "@bob"
  std::deque<ChatLine> lines;
  int unread = 0;
  bool mention = false;
  bool joined = false;  // the node confirmed the join this session
  std::set<std::string> members;
  std::string topic;
  // Ids shown in this room: a message comes at most once however often the node replays it.
  std::unordered_set<MessageId> seen;
  MessageId newest = 0;  // the `since` of the next join after a reconnect
  MessageId oldest = 0;  // the `before` of the next history page
  bool more_history = true;
  int scroll = 0;  // rows scrolled up from the newest; 0 follows new lines
};

struct IncomingMessage {
  IncomingMessage() = default;
  IncomingMessage(MessageId id_, std::string channel_, std::string from_, std::string text_,
                  std::int64_t ts_)
      : id(id_),
        channel(std::move(channel_)),
        from(std::move(from_)),
        text(std::move(text_)),
        ts(ts_) {}

  MessageId id = 0;
  std::string channel;
  std::string from;
  std::string text;
  std::int64_t ts = 0;
  bool edited = false;   // the text is an edit
  bool deleted = false;  // the text is gone
  std::string reactions;
};

class Rooms {
 public:
  // `self`: the user's name, for mentions and dm titles. `cap`: lines kept per room.
  Rooms(std::string self, std::size_t cap);

  void set_self(std::string self) { self_ = std::move(self); }
  const std::string& self() const { return self_; }

  // The room for `channel`, made (at the end of the list) if new. A dm channel is titled after the
  // other user.
  Room& Open(const std::string& channel);
  Room* Find(const std::string& channel);
  // Takes a room off the list; the active room moves to its neighbour.
  void Close(const std::string& channel);

  // Files a message from the node (live, a join's replay or a history page) in its place by id.
  // A message of the user's that matches a line of theirs marked failed takes that line's place.
  // False when it was shown already (its edits, deletion and reactions are taken then, as a
  // replay tells the latest of them). A message from someone else into a room not on screen counts
  // as unread, and as a mention when it names the user.
  // `news` false: history shown on opening a room, which is not unread.
  bool AddMessage(const IncomingMessage& m, bool news = true);
  // A line typed here, shown at once as pending. Returns its local number.
  std::uint64_t AddPending(const std::string& channel, std::string text, std::int64_t now_ms);
  // The node stored line `local` as `id` (in `channel`, which for a dm may be the first we hear
  // of).
  void Acked(std::uint64_t local, const std::string& channel, MessageId id, std::int64_t ts);
  // Line `local` was not stored: refused (`why` says so) or lost with the connection.
  void Failed(std::uint64_t local, std::string why);
  // The line of message `id` in `channel`, if it is still held.
  ChatLine* FindMessage(const std::string& channel, MessageId id);
  void AddEvent(const std::string& channel, std::string text, std::int64_t now_ms);
  // Something to say in the room on screen (command answers, connection notes).
  void Note(std::string text, std::int64_t now_ms);

  std::size_t size() const { return rooms_.size(); }
  bool empty() const { return rooms_.empty(); }
  const Room& at(std::size_t i) const { return rooms_[i]; }
  Room& at(std::size_t i) { return rooms_[i]; }
  std::size_t active_index() const { return active_; }
  Room* active() { return rooms_.empty() ? nullptr : &rooms_[active_]; }
  const Room* active() const { return rooms_.empty() ? nullptr : &rooms_[active_]; }

  // Puts room `i` on screen, which reads its unread lines.
  void Activate(std::size_t i);
  void Activate(const std::string& channel);
  void Next();
  void Previous();
  // The next room after the active one with unread lines (mentions first); false when none.
  bool NextUnread();

  // The title a channel is listed under, for this user: "#general", "@bob".
  std::string TitleOf(const std::string& channel) const;

 private:
  void Trim(Room& room);
  ChatLine* FindLocal(std::uint64_t local, Room** room);
  bool Mentions(const std::string& text) const;

  std::string self_;
  std::size_t cap_;
  std::vector<Room> rooms_;
  std::size_t active_ = 0;
  std::uint64_t next_local_ = 1;
};

}  // namespace chatctl::chat
