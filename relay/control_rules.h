// The rules that turn a request into the control event to commit and the fields its answer
// carries, whether it came from a WebSocket client or the admin API. Pure: no sessions, no lws,
// no store. Both transports call these, so each rule is written once; what differs between them
// (who may ask, how the answer is shaped on the wire) stays with the transport.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lib/control.h"
#include "lib/ids.h"
#include "lib/message.h"
#include "lib/result.h"
#include "relay/directory.h"
#include "relay/events.h"

namespace chatctl::relay {

// A control event to commit: its kind, key and arguments. `fields` are what the answer reports
// once the event is durable (`ok`'s fields over WebSocket, the JSON body over HTTP).
struct ControlPlan {
  std::string_view kind;
  std::string key;
  nlohmann::json args = nlohmann::json::object();
  nlohmann::json fields = nlohmann::json::object();
};

// The event of a plan, made by `actor`, with the next id of this node.
Message MakeControlEvent(const ControlPlan& plan, const std::string& actor, IdGenerator& ids,
                         std::uint32_t node_id);

// A chat message this node originates: its id (and so its ts) from `ids`.
Message MakeChatMessage(IdGenerator& ids, std::uint32_t node_id, std::string channel,
                        std::string from, std::string text);

// `op` (kick, ban or unban) of `user` in `room`, or cluster-wide when `room` is empty. A ban
// lasts `seconds` from `now_ms`, or has no end. Fields: channel, user (and until for a ban).
Result<ControlPlan> PlanModeration(std::string_view op, const std::string& room,
                                   const std::string& user, std::optional<std::int64_t> seconds,
                                   std::int64_t now_ms);

// A room created with `owner` as its owner; conflict when the room exists already.
Result<ControlPlan> PlanRoomCreate(const Directory& directory, const std::string& room,
                                   bool is_private, const std::string& topic,
                                   const std::string& owner);
// Whether the room a committed create folded into is the one asked for: the first create of a
// room stands, and another node's may have come first.
bool RoomCreateStood(const WriteJob& job, const std::string& owner);

// A room's topic: too_large past control::kMaxTopicChars.
Result<ControlPlan> PlanTopic(const std::string& room, const std::string& topic);

// `user` made a member of a created room with `role` (member, admin or owner), or taken out of
// it (role "none": not_found when not a member). not_found when the room was not created.
Result<ControlPlan> PlanMember(const Directory& directory, const std::string& room,
                               const std::string& user, const std::string& role);

// An account for `user` with a password `hash`. Whether the commit made it: a user.add of the
// same name from another node may have come first.
ControlPlan PlanUserAdd(const std::string& user, const std::string& hash, bool admin);
bool UserAddStood(const WriteJob& job);

}  // namespace chatctl::relay
