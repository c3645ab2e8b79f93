// What a durable control event changes for this node's sessions (see control_effects.h).
#include "relay/handlers/control_effects.h"

#include "lib/control.h"
#include "lib/protocol.h"

namespace chatctl::relay {
namespace {

using control::Role;
using nlohmann::json;

Line LineOf(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

}  // namespace

void ControlEffects::CloseUserSessions(const std::string& user, const std::string& room,
                                       std::uint16_t code, const std::string& reason) {
  for (Session* s : gw_.channels.SessionsOf(user)) {
    if (s->closing()) continue;
    if (!room.empty() && s->channels.count(room) == 0) continue;
    gw_.out.Close(*s, code, reason);
  }
}

void ControlEffects::RemoveFromRoom(const std::string& room, const std::string& user,
                                    const std::string& reason) {
  for (SessionId id : gw_.channels.JoinedTo(room)) {
    Session* s = gw_.sessions.Find(id);
    if (s == nullptr || (!user.empty() && s->user != user)) continue;
    if (user.empty() && gw_.directory.CheckRoom(room, s->user, s->admin, gw_.NowMs()).ok()) {
      continue;  // everyone who may not stay: those it no longer admits
    }
    gw_.channels.Leave(*s, room);
    gw_.out.Send(*s, protocol::LeftBecause(room, reason));
  }
}

void ControlEffects::Apply(const WriteJob& job) {
  const Message& e = job.message;
  ++gw_.stats.control_events;
  if (job.user_after) gw_.directory.Put(*job.user_after);
  if (job.room_after) gw_.directory.Put(*job.room_after);
  std::string name = control::KeyName(e.channel);
  json args = json::parse(e.text, nullptr, /*allow_exceptions=*/false);
  auto arg = [&args](const char* key) {
    auto it = args.is_object() ? args.find(key) : args.end();
    return it != args.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string& kind = e.kind;

  if (kind.rfind("user.", 0) == 0) {
    if (kind == control::kUserKick) {
      CloseUserSessions(name, "", protocol::kCloseKicked, "kicked by an administrator");
    } else if (Status allowed = gw_.directory.CheckUser(name, gw_.NowMs()); !allowed.ok()) {
      // Disabled, deleted or banned: its sessions go on every node.
      CloseUserSessions(name, "", protocol::kCloseKicked, allowed.error().message);
    }
    return;
  }
  if (kind.rfind("room.", 0) == 0) {
    if (kind == control::kRoomKick) {
      CloseUserSessions(arg("user"), name, protocol::kCloseKicked,
                        "kicked from channel '" + name + "'");
    } else if (kind == control::kRoomBan) {
      if (!gw_.directory.CheckRoom(name, arg("user"), false, gw_.NowMs()).ok()) {
        CloseUserSessions(arg("user"), name, protocol::kCloseKicked,
                          "banned from channel '" + name + "'");
      }
    } else if (kind == control::kRoomTopic) {
      gw_.channels.Broadcast(name, LineOf(protocol::TopicEvent(name, arg("topic"), e.from)));
    } else if (kind == control::kRoomMember) {
      std::string user = arg("user");
      Role role = gw_.directory.RoleIn(name, user);
      gw_.channels.Broadcast(name, LineOf(protocol::MemberEvent(name, user, role, e.from)));
      if (role == Role::kNone) RemoveFromRoom(name, user, "removed");
    } else if (kind == control::kRoomCreate) {
      RemoveFromRoom(name, "", "private");  // a room made private keeps its members only
    } else if (kind == control::kRoomDelete) {
      for (SessionId id : gw_.channels.JoinedTo(name)) {
        if (Session* s = gw_.sessions.Find(id)) {
          gw_.channels.Leave(*s, name);
          gw_.out.Send(*s, protocol::LeftBecause(name, "deleted"));
        }
      }
    }
    return;
  }
  if (kind.rfind("msg.", 0) == 0 && job.message_after) {
    const control::MessageState& state = *job.message_after;
    std::string line;
    if (kind == control::kMsgEdit) {
      line = protocol::EditEvent(state, e.from);
    } else if (kind == control::kMsgDelete) {
      line = protocol::DeleteEvent(state, e.from);
    } else {
      auto flag = args.is_object() ? args.find("on") : args.end();
      bool on = flag != args.end() && flag->is_boolean() && flag->get<bool>();
      line = protocol::ReactionEvent(state, arg("emoji"), e.from, on);
    }
    gw_.channels.Broadcast(state.channel, LineOf(std::move(line)));
  }
}

}  // namespace chatctl::relay
