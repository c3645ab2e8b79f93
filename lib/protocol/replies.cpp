// Writing what nodes send (see replies.h). Each reply is an ordered object that starts with
// "type" and the echoed "ref", dumped compact with bad UTF-8 replaced; the two per-message replies
// (msg, ack) are written by hand, since they are the node's hot path.
#include "lib/protocol/replies.h"

#include "lib/utf8.h"

namespace chatctl::protocol {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

using detail::AppendJsonString;

std::string Dump(const ordered_json& j) {
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

ordered_json Start(std::string_view type, const nlohmann::json& ref) {
  ordered_json j;
  j["type"] = type;
  if (!ref.is_null()) j["ref"] = ordered_json(ref);
  return j;
}

ordered_json Reactions(const control::MessageState& state) {
  ordered_json reactions = ordered_json::object();
  for (const auto& [emoji, users] : state.reactions) reactions[emoji] = users;
  return reactions;
}

ordered_json MessageObject(const Message& m) {
  ordered_json j;
  j["type"] = "msg";
  j["id"] = IdToString(m.id);
  j["channel"] = m.channel;
  j["from"] = m.from;
  j["text"] = m.text;
  j["ts"] = m.ts;
  j["origin"] = m.origin;
  j["seq"] = m.seq;
  if (m.state) {  // what edits, deletes and reactions made of it (history and replays only)
    const control::MessageState& state = *m.state;
    if (state.deleted) {
      j["text"] = "";
      j["deleted"] = true;
    } else if (state.text) {
      j["text"] = *state.text;
      j["edited_ts"] = state.edited_ts;
    }
    if (!state.reactions.empty()) j["reactions"] = Reactions(state);
  }
  return j;
}

ordered_json MessageArray(const std::vector<Message>& messages) {
  ordered_json array = ordered_json::array();
  for (const auto& m : messages) array.push_back(MessageObject(m));
  return array;
}

}  // namespace

void detail::AppendJsonString(std::string& out, std::string_view text) {
  bool plain = true;  // printable ASCII other than '"' and '\\', or valid UTF-8: copied as is
  bool ascii = true;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || c == '"' || c == '\\') plain = false;
    if (byte >= 0x80) ascii = false;
  }
  if (plain && (ascii || IsValidUtf8(text))) {
    out += '"';
    out += text;
    out += '"';
    return;
  }
  out += json(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string Welcome(std::string_view user, std::string_view node, std::int64_t server_time_ms,
                    const std::optional<std::string>& token) {
  ordered_json j = Start("welcome", nullptr);
  j["user"] = user;
  j["node"] = node;
  j["protocol"] = kVersion;
  j["server_time"] = server_time_ms;
  if (token) j["token"] = *token;
  return Dump(j);
}

std::string MessageJson(const Message& m) {
  if (m.state) return Dump(MessageObject(m));
  // The hot path (every message, once per fan-out): written directly. Channel and sender are
  // checked names and the id and ts are digits; only the text needs JSON escaping.
  std::string out;
  // The fixed parts: 117, and up to 4 + 20 digits of origin and seq.
  out.reserve(144 + m.channel.size() + m.from.size() + m.text.size());
  out += R"({"type":"msg","id":")";
  out += IdToString(m.id);
  out += R"(","channel":")";
  out += m.channel;
  out += R"(","from":")";
  out += m.from;
  out += R"(","text":)";
  AppendJsonString(out, m.text);
  out += R"(,"ts":)";
  out += std::to_string(m.ts);
  out += R"(,"origin":)";
  out += std::to_string(m.origin);
  out += R"(,"seq":)";
  out += std::to_string(m.seq);
  out += '}';
  return out;
}

nlohmann::json MessageObjectJson(const Message& m) {
  return nlohmann::json::parse(Dump(MessageObject(m)));
}

std::string Ack(const Ref& ref, const Message& m) {
  // Once per message: written directly (see MessageJson); the ref is echoed as the client sent it.
  std::string out = R"({"type":"ack",)";
  if (!ref.is_null()) {
    out += R"("ref":)";
    out += ref.dump(-1, ' ', false, json::error_handler_t::replace);
    out += ',';
  }
  out += R"("id":")";
  out += IdToString(m.id);
  out += R"(","channel":")";
  out += m.channel;
  out += R"(","ts":)";
  out += std::to_string(m.ts);
  out += '}';
  return out;
}

std::string Joined(const Ref& ref, std::string_view channel, const std::vector<Message>& messages,
                   bool truncated, const std::optional<ResumeCursor>& cursor) {
  ordered_json j = Start("joined", ref);
  j["channel"] = channel;
  j["messages"] = MessageArray(messages);
  if (truncated) j["truncated"] = true;
  if (cursor) j["cursor"] = FormatCursor(*cursor);
  return Dump(j);
}

std::string Left(const Ref& ref, std::string_view channel) {
  ordered_json j = Start("left", ref);
  j["channel"] = channel;
  return Dump(j);
}

std::string HistoryReply(const Ref& ref, std::string_view channel,
                         const std::vector<Message>& messages, bool more) {
  ordered_json j = Start("history", ref);
  j["channel"] = channel;
  j["messages"] = MessageArray(messages);
  j["more"] = more;
  return Dump(j);
}

std::string PresenceList(const Ref& ref, std::string_view channel,
                         const std::vector<std::string>& users) {
  ordered_json j = Start("presence", ref);
  j["channel"] = channel;
  j["users"] = users;
  return Dump(j);
}

std::string PresenceEvent(std::string_view channel, std::string_view user, bool joined) {
  ordered_json j = Start("presence", nullptr);
  j["channel"] = channel;
  j["user"] = user;
  j["state"] = joined ? "join" : "leave";
  return Dump(j);
}

std::string Pong(const Ref& ref) { return Dump(Start("pong", ref)); }

std::string ErrorReply(const Ref& ref, std::string_view code, std::string_view message) {
  ordered_json j = Start("error", ref);
  j["code"] = code;
  j["message"] = message;
  return Dump(j);
}

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
