// The wire protocol, version 1 (docs/protocol.md): parsing what clients send and writing what
// nodes answer. Pure functions: no sockets, no threads, no state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/config.h"
#include "lib/control.h"
#include "lib/ids.h"
#include "lib/message.h"

namespace chatctl::protocol {

constexpr int kVersion = 1;
constexpr const char* kSubprotocol = "chatctl.v1";
constexpr int kDefaultPort = 7447;
constexpr int kHistoryDefaultLimit = 50;
constexpr int kHistoryMaxLimit = 500;

// Close codes (PROTOCOL.md "Errors").
enum CloseCode : std::uint16_t {
  kCloseGoingAway = 1001,
  kCloseInvalidUtf8 = 1007,
  kCloseTooLarge = 1009,
  kCloseUnauthorized = 4401,
  kCloseKicked = 4403,
  kCloseTooSlow = 4408,
  kCloseRateLimited = 4429,
};

// `ref` as the client sent it (string or integer), or null when absent.
using Ref = nlohmann::json;

struct Hello {
  std::optional<std::string> token;
  std::optional<std::string> user;
  std::optional<std::string> password;
};
struct Join {
  std::string channel;
  std::optional<int> last;         // the newest N, then live
  std::optional<MessageId> since;  // everything after this id, then live
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

// --- What nodes send. Each returns one compact JSON object (no trailing newline). ---
std::string Welcome(std::string_view user, std::string_view node, std::int64_t server_time_ms,
                    const std::optional<std::string>& token = std::nullopt);
std::string MessageJson(const Message& m);  // {"type":"msg",...}
std::string Ack(const Ref& ref, const Message& m);
std::string Joined(const Ref& ref, std::string_view channel, const std::vector<Message>& messages,
                   bool truncated);
std::string Left(const Ref& ref, std::string_view channel);
std::string HistoryReply(const Ref& ref, std::string_view channel,
                         const std::vector<Message>& messages, bool more);
std::string PresenceList(const Ref& ref, std::string_view channel,
                         const std::vector<std::string>& users);
std::string PresenceEvent(std::string_view channel, std::string_view user, bool joined);
std::string Pong(const Ref& ref);
std::string ErrorReply(const Ref& ref, std::string_view code, std::string_view message);

// --- Rooms, moderation and message changes (lib/protocol_control.cpp). ---
// {"type":"ok","ref",...fields}: a room or message request is durable on this node.
std::string OkReply(const Ref& ref, const nlohmann::json& fields);
// {"type":"room","ref","channel","kind","topic","owner","role","members":[{"user","role"}]}
std::string RoomReply(const Ref& ref, const std::string& channel, const control::RoomRecord* room,
                      const std::string& asker);
// Live events to a room's sessions.
std::string TopicEvent(const std::string& channel, const std::string& topic, const std::string& by);
std::string MemberEvent(const std::string& channel, const std::string& user, control::Role role,
                        const std::string& by);
std::string EditEvent(const control::MessageState& state, const std::string& by);
std::string DeleteEvent(const control::MessageState& state, const std::string& by);
std::string ReactionEvent(const control::MessageState& state, const std::string& emoji,
                          const std::string& user, bool on);
// A `left` the session did not ask for: the room was deleted, or the user removed from it.
std::string LeftBecause(const std::string& channel, const std::string& reason);
// The room's state for the admin API and `room`.
nlohmann::json RoomObject(const std::string& channel, const control::RoomRecord* room);
nlohmann::json MessageObjectJson(const Message& m);

// --- For clients: a `msg` object back into a Message. ---
std::optional<Message> MessageFromJson(const nlohmann::json& j);

}  // namespace chatctl::protocol
