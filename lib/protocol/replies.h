// What nodes send (docs/protocol.md): replies to requests and live events, each one compact JSON
// object with no trailing newline, plus the room and message objects the admin API shares. Reading
// these back is for clients (client.h). Pure functions: no sockets, no threads, no state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/control.h"
#include "lib/cursor.h"
#include "lib/message.h"
#include "lib/protocol/wire.h"

namespace chatctl::protocol {

// --- Sessions and messages. ---
std::string Welcome(std::string_view user, std::string_view node, std::int64_t server_time_ms,
                    const std::optional<std::string>& token = std::nullopt);
std::string MessageJson(const Message& m);  // {"type":"msg",...}
std::string Ack(const Ref& ref, const Message& m);
// `cursor`: the resume cursor the client has once it has these (an extension; none: left out).
std::string Joined(const Ref& ref, std::string_view channel, const std::vector<Message>& messages,
                   bool truncated, const std::optional<ResumeCursor>& cursor = std::nullopt);
std::string Left(const Ref& ref, std::string_view channel);
std::string HistoryReply(const Ref& ref, std::string_view channel,
                         const std::vector<Message>& messages, bool more);
std::string PresenceList(const Ref& ref, std::string_view channel,
                         const std::vector<std::string>& users);
std::string PresenceEvent(std::string_view channel, std::string_view user, bool joined);
std::string Pong(const Ref& ref);
std::string ErrorReply(const Ref& ref, std::string_view code, std::string_view message);

// --- Rooms, moderation and message changes. ---
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

// --- The same objects for the admin API. ---
// The room's state for the admin API and `room`.
nlohmann::json RoomObject(const std::string& channel, const control::RoomRecord* room);
nlohmann::json MessageObjectJson(const Message& m);

namespace detail {
// Appends `text` as a JSON string, quotes included, byte for byte as nlohmann's dump with bad
// UTF-8 replaced (U+FFFD) would write it, without building a json value: the hot path's one
// string that needs escaping is a message's text. Declared here for its tests.
void AppendJsonString(std::string& out, std::string_view text);
}  // namespace detail

}  // namespace chatctl::protocol
