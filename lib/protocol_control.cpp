// What nodes say about rooms, moderation and message changes (see protocol.h and
// docs/protocol.md "Rooms and moderation").
#include "lib/protocol.h"
#include "lib/protocol_json.h"

namespace chatctl::protocol {
namespace {

using ordered_json = nlohmann::ordered_json;

using detail::Dump;
using detail::Start;

ordered_json Reactions(const control::MessageState& state) {
  ordered_json reactions = ordered_json::object();
  for (const auto& [emoji, users] : state.reactions) reactions[emoji] = users;
  return reactions;
}

}  // namespace

std::string OkReply(const Ref& ref, const nlohmann::json& fields) {
  ordered_json j = Start("ok", ref);
  for (const auto& [key, value] : fields.items()) j[key] = ordered_json::parse(value.dump());
  return Dump(j);
}

nlohmann::json RoomObject(const std::string& channel, const control::RoomRecord* room) {
  nlohmann::json j;
  j["name"] = channel;
  bool created = room != nullptr && room->exists;
  j["kind"] = created && room->is_private ? "private" : "public";
  j["topic"] = room != nullptr ? room->topic : "";
  j["owner"] = created ? room->owner : "";
  nlohmann::json members = nlohmann::json::array();
  if (room != nullptr) {
    for (const auto& [user, role] : room->members) {
      members.push_back({{"user", user}, {"role", control::RoleName(role)}});
    }
  }
  j["members"] = members;
  return j;
}

std::string RoomReply(const Ref& ref, const std::string& channel, const control::RoomRecord* room,
                      const std::string& asker) {
  ordered_json j = Start("room", ref);
  nlohmann::json info = RoomObject(channel, room);
  j["channel"] = channel;
  j["kind"] = info["kind"];
  j["topic"] = info["topic"];
  j["owner"] = info["owner"];
  j["role"] = control::RoleName(room != nullptr ? room->RoleOf(asker) : control::Role::kNone);
  j["members"] = ordered_json::parse(info["members"].dump());
  return Dump(j);
}

std::string TopicEvent(const std::string& channel, const std::string& topic,
                       const std::string& by) {
  ordered_json j = Start("topic", nullptr);
  j["channel"] = channel;
  j["topic"] = topic;
  j["by"] = by;
  return Dump(j);
}

std::string MemberEvent(const std::string& channel, const std::string& user, control::Role role,
                        const std::string& by) {
  ordered_json j = Start("member", nullptr);
  j["channel"] = channel;
  j["user"] = user;
  j["role"] = control::RoleName(role);
  j["by"] = by;
  return Dump(j);
}

std::string EditEvent(const control::MessageState& state, const std::string& by) {
  ordered_json j = Start("edit", nullptr);
  j["channel"] = state.channel;
  j["id"] = IdToString(state.id);
  j["text"] = state.text.value_or("");
  j["edited_ts"] = state.edited_ts;
  j["by"] = by;
  return Dump(j);
}

std::string DeleteEvent(const control::MessageState& state, const std::string& by) {
  ordered_json j = Start("delete", nullptr);
  j["channel"] = state.channel;
  j["id"] = IdToString(state.id);
  j["by"] = by;
  return Dump(j);
}

std::string ReactionEvent(const control::MessageState& state, const std::string& emoji,
                          const std::string& user, bool on) {
  ordered_json j = Start("reaction", nullptr);
  j["channel"] = state.channel;
  j["id"] = IdToString(state.id);
  j["emoji"] = emoji;
  j["user"] = user;
  j["on"] = on;
  j["reactions"] = Reactions(state);
  return Dump(j);
}

std::string LeftBecause(const std::string& channel, const std::string& reason) {
  ordered_json j = Start("left", nullptr);
  j["channel"] = channel;
  j["reason"] = reason;
  return Dump(j);
}

}  // namespace chatctl::protocol
