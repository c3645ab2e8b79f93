// What clients send (docs/protocol.md): one struct per request, and ParseFrame, which turns a text
// frame into requests or the reasons they are not. Validates shapes and names only: who may do
// what is the node's to decide. Pure functions: no sockets, no threads, no state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lib/config.h"
#include "lib/cursor.h"
#include "lib/ids.h"
#include "lib/protocol/wire.h"

namespace chatctl::protocol {

struct Hello {
  std::optional<std::string> token;
  std::optional<std::string> user;
  std::optional<std::string> password;
};
struct Join {
  std::string channel;
  std::optional<int> last;         // the newest N, then live
  std::optional<MessageId> since;  // everything after this id, then live
  // Everything the resume cursor (lib/cursor.h) does not cover, then live; an extension.
  std::optional<ResumeCursor> cursor;
};
struct Leave {
  std::string channel;
};
struct Send {
  std::string channel;            // a room, or "dm:A:B"; empty when `to` is given
  std::optional<std::string> to;  // a user: the dm channel with the sender
  std::string text;
};
struct History {
  std::string channel;
  std::optional<MessageId> before;
  int limit = kHistoryDefaultLimit;
};
struct PresenceQuery {
  std::string channel;
};
struct Ping {};
// Self sign-up, where the node allows it (`serve --allow-register`); answered like a hello.
struct Register {
  std::string user;
  std::string password;
};
// Rooms and moderation: create, room (info), topic, invite, remove, kick, ban, unban.
struct RoomOp {
  std::string op;                       // the request's type
  std::string channel;                  // a room; empty for a cluster-wide kick, ban or unban
  std::string user;                     // invite, remove, kick, ban, unban
  std::optional<std::string> role;      // invite: member (default), admin or owner
  std::optional<std::string> topic;     // create, topic
  bool is_private = false;              // create
  std::optional<std::int64_t> seconds;  // ban: how long (none: no expiry)
};
// Changes to a message: edit, delete, react, unreact.
struct MessageOp {
  std::string op;
  std::string channel;  // where the message is (a room or a dm channel)
  MessageId id = 0;
  std::string text;   // edit
  std::string emoji;  // react, unreact
};

using Body = std::variant<Hello, Join, Leave, Send, History, PresenceQuery, Ping, Register, RoomOp,
                          MessageOp>;

struct Request {
  Ref ref;
  Body body;
};
// A line that is not a valid request: answer it with an `error` carrying `ref` when it had one.
struct Invalid {
  Ref ref;
  std::string code;  // bad_request or too_large
  std::string message;
};
using Parsed = std::variant<Request, Invalid>;

// Splits a text frame on '\n' and parses each non-empty line. The caller has already checked the
// frame's size and UTF-8. Channel names are validated here (rooms or dm channels), not access.
std::vector<Parsed> ParseFrame(std::string_view frame, const Limits& limits);

}  // namespace chatctl::protocol
