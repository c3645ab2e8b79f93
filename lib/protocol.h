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

using Body = std::variant<Hello, Join, Leave, Send, History, PresenceQuery, Ping>;

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

// --- For clients: a `msg` object back into a Message. ---
std::optional<Message> MessageFromJson(const nlohmann::json& j);

}  // namespace chatctl::protocol
