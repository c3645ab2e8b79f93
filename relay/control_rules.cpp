// Requests into control events (see control_rules.h).
#include "relay/control_rules.h"

#include "lib/utf8.h"

namespace chatctl::relay {

using nlohmann::json;

Message MakeControlEvent(const ControlPlan& plan, const std::string& actor, IdGenerator& ids,
                         std::uint32_t node_id) {
  return control::MakeEvent(plan.kind, plan.key, actor, plan.args.dump(), ids.Next(), node_id);
}

Message MakeChatMessage(IdGenerator& ids, std::uint32_t node_id, std::string channel,
                        std::string from, std::string text) {
  Message m;
  m.id = ids.Next();
  m.ts = IdTimestampMs(m.id);
  m.channel = std::move(channel);
  m.from = std::move(from);
  m.text = std::move(text);
  m.origin = node_id;
  return m;
}

Result<ControlPlan> PlanModeration(std::string_view op, const std::string& room,
                                   const std::string& user, std::optional<std::int64_t> seconds,
                                   std::int64_t now_ms) {
  bool cluster_wide = room.empty();
  ControlPlan plan;
  plan.key = cluster_wide ? control::UserKey(user) : control::RoomKey(room);
  plan.fields = {{"channel", room}, {"user", user}};
  if (!cluster_wide) plan.args["user"] = user;
  if (op == "kick") {
    plan.kind = cluster_wide ? control::kUserKick : control::kRoomKick;
  } else if (op == "ban") {
    std::int64_t until = seconds ? now_ms + *seconds * 1000 : 0;
    plan.kind = cluster_wide ? control::kUserBan : control::kRoomBan;
    plan.args["until"] = until;
    plan.fields["until"] = until;
  } else if (op == "unban") {
    plan.kind = cluster_wide ? control::kUserUnban : control::kRoomUnban;
  } else {
    return Error{"bad_request", "unknown request '" + std::string(op) + "'"};
  }
  return plan;
}

Result<ControlPlan> PlanRoomCreate(const Directory& directory, const std::string& room,
                                   bool is_private, const std::string& topic,
                                   const std::string& owner) {
  const control::RoomRecord* record = directory.Room(room);
  if (record != nullptr && record->exists) {
    return Error{"conflict", "channel '" + room + "' exists"};
  }
  ControlPlan plan;
  plan.kind = control::kRoomCreate;
  plan.key = control::RoomKey(room);
  plan.args = {{"private", is_private}, {"topic", topic}, {"owner", owner}};
  return plan;
}

bool RoomCreateStood(const WriteJob& job, const std::string& owner) {
  const auto& room = job.room_after;
  return room && room->exists && room->owner == owner && room->last_id >= job.message.id;
}

Result<ControlPlan> PlanTopic(const std::string& room, const std::string& topic) {
  if (CountCodePoints(topic) > control::kMaxTopicChars) {
    return Error{"too_large",
                 "a topic has at most " + std::to_string(control::kMaxTopicChars) + " characters"};
  }
  ControlPlan plan;
  plan.kind = control::kRoomTopic;
  plan.key = control::RoomKey(room);
  plan.args = {{"topic", topic}};
  plan.fields = {{"channel", room}, {"topic", topic}};
  return plan;
}

Result<ControlPlan> PlanMember(const Directory& directory, const std::string& room,
                               const std::string& user, const std::string& role) {
  const control::RoomRecord* record = directory.Room(room);
  if (record == nullptr || !record->exists) {
    return Error{"not_found", "channel '" + room + "' was not created; create it first"};
  }
  if (role == "none" && record->RoleOf(user) == control::Role::kNone) {
    return Error{"not_found", "'" + user + "' is not a member of '" + room + "'"};
  }
  ControlPlan plan;
  plan.kind = control::kRoomMember;
  plan.key = control::RoomKey(room);
  plan.args = {{"user", user}, {"role", role}};
  plan.fields = {{"channel", room}, {"user", user}, {"role", role}};
  return plan;
}

ControlPlan PlanUserAdd(const std::string& user, const std::string& hash, bool admin) {
  ControlPlan plan;
  plan.kind = control::kUserAdd;
  plan.key = control::UserKey(user);
  plan.args = {{"hash", hash}, {"admin", admin}};
  plan.fields = {{"name", user}, {"admin", admin}};
  return plan;
}

bool UserAddStood(const WriteJob& job) {
  return job.user_after && job.user_after->created_id == job.message.id;
}

}  // namespace chatctl::relay
