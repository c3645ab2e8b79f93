// Room, moderation and message-change requests over WebSocket (see rooms.h).
#include "relay/handlers/rooms.h"

#include "lib/names.h"
#include "lib/state_tables.h"
#include "relay/worker.h"

namespace chatctl::relay {
namespace {

using control::Role;
using nlohmann::json;

// What the query worker reads before a message may be changed: the message, if it exists.
std::optional<Message> ReadMessage(Store& store, MessageId id) {
  auto found = store.Get(id);
  if (!found.ok()) return std::nullopt;
  return std::move(*found);
}

}  // namespace

Status Rooms::CheckModerator(const Session& s, const protocol::RoomOp& op) const {
  if (s.admin) return Ok{};
  if (op.channel.empty()) {
    return Error{"forbidden", "a cluster-wide " + op.op + " needs an administrator's token"};
  }
  Role mine = gw_.directory.RoleIn(op.channel, s.user);
  if (mine < Role::kAdmin) {
    return Error{"forbidden", op.op + " in '" + op.channel + "' needs the admin or owner role"};
  }
  bool touches_staff = gw_.directory.RoleIn(op.channel, op.user) >= Role::kAdmin ||
                       (op.op == "invite" && op.role && *op.role != "member");
  if (touches_staff && mine < Role::kOwner && op.user != s.user) {
    return Error{"forbidden", "only the owner of '" + op.channel + "' manages its admins"};
  }
  return Ok{};
}

void Rooms::Commit(Session& s, const protocol::Ref& ref, const std::string& op,
                   Result<ControlPlan> plan) {
  if (!plan.ok()) return gw_.SendError(s, ref, plan.error());
  json fields = plan->fields;
  fields["op"] = op;
  SessionId id = s.id;
  bool submitted = gw_.CommitControl(
      *plan, s.user, [this, id, ref, fields](const WriteJob&, const Status& status) {
        Session* asker = gw_.sessions.Find(id);
        if (asker == nullptr) return;
        if (!status.ok())
          return gw_.SendError(*asker, ref, {"unavailable", status.error().message});
        gw_.out.Send(*asker, protocol::OkReply(ref, fields));
      });
  if (!submitted) {
    gw_.SendError(s, ref, {"unavailable", "store queue full or node shutting down; try again"});
  }
}

void Rooms::RoomOp(Session& s, const protocol::Ref& ref, const protocol::RoomOp& op) {
  if (op.op == "room") {
    if (Status allowed = gw_.CheckAccess(s, op.channel); !allowed.ok()) {
      return gw_.SendError(s, ref, allowed.error());
    }
    gw_.out.Send(s, protocol::RoomReply(ref, op.channel, gw_.directory.Room(op.channel), s.user));
    return;
  }
  if (op.op == "create") return Create(s, ref, op);
  if (Status allowed = CheckModerator(s, op); !allowed.ok()) {
    return gw_.SendError(s, ref, allowed.error());
  }
  if (op.op == "topic") return Commit(s, ref, op.op, PlanTopic(op.channel, *op.topic));
  if (op.op == "invite") {
    return Commit(s, ref, op.op,
                  PlanMember(gw_.directory, op.channel, op.user, op.role.value_or("member")));
  }
  if (op.op == "remove") {
    return Commit(s, ref, op.op, PlanMember(gw_.directory, op.channel, op.user, "none"));
  }
  Commit(s, ref, op.op, PlanModeration(op.op, op.channel, op.user, op.seconds, gw_.NowMs()));
}

void Rooms::Create(Session& s, const protocol::Ref& ref, const protocol::RoomOp& op) {
  auto plan =
      PlanRoomCreate(gw_.directory, op.channel, op.is_private, op.topic.value_or(""), s.user);
  if (!plan.ok()) return gw_.SendError(s, ref, plan.error());
  if (Status allowed = gw_.directory.CheckRoom(op.channel, s.user, s.admin, gw_.NowMs());
      !allowed.ok()) {
    return gw_.SendError(s, ref, allowed.error());
  }
  // A room that already has messages belongs to everyone who wrote there: only an administrator
  // may turn it into a created (possibly private) room.
  SessionId id = s.id;
  bool admin = s.admin;
  std::string channel = op.channel;
  std::string owner = s.user;
  bool queued = gw_.queries->Ask<bool>(
      [channel](Store& store) {
        auto summary = store.state().Channel(channel);
        return !summary.ok() || summary->messages > 0;
      },
      [this, id, ref, admin, channel, owner, create = *plan](bool used) {
        Session* asker = gw_.sessions.Find(id);
        if (asker == nullptr) return;
        if (used && !admin) {
          return gw_.SendError(*asker, ref,
                               {"conflict", "channel '" + channel +
                                                "' has messages already; an administrator "
                                                "may create it"});
        }
        bool submitted = gw_.CommitControl(
            create, owner,
            [this, id, ref, channel, owner](const WriteJob& job, const Status& status) {
              Session* again = gw_.sessions.Find(id);
              if (again == nullptr) return;
              if (!status.ok()) {
                gw_.SendError(*again, ref, {"unavailable", status.error().message});
              } else if (!RoomCreateStood(job, owner)) {
                gw_.SendError(*again, ref, {"conflict", "channel '" + channel + "' exists"});
              } else {
                gw_.out.Send(*again, protocol::OkReply(
                                         ref, protocol::RoomObject(channel, &*job.room_after)));
              }
            });
        if (!submitted) gw_.SendError(*asker, ref, {"unavailable", "store queue full; try again"});
      });
  if (!queued) gw_.SendError(s, ref, {"unavailable", "node busy; try again"});
}

void Rooms::MessageOp(Session& s, const protocol::Ref& ref, const protocol::MessageOp& op) {
  if (Status allowed = gw_.CheckAccess(s, op.channel); !allowed.ok()) {
    return gw_.SendError(s, ref, allowed.error());
  }
  SessionId id = s.id;
  // Whether the asker may change the message depends on who wrote it: read it first.
  bool queued = gw_.queries->Ask<std::optional<Message>>(
      [message_id = op.id](Store& store) { return ReadMessage(store, message_id); },
      [this, id, ref, op](std::optional<Message> message) {
        Session* asker = gw_.sessions.Find(id);
        if (asker == nullptr) return;
        Session& me = *asker;
        auto fail = [&](const std::string& code, const std::string& text) {
          gw_.SendError(me, ref, {code, text});
        };
        if (!message || message->is_control() || message->channel != op.channel ||
            message->id <= gw_.directory.HistoryFloor(op.channel)) {
          return fail("not_found",
                      "no message " + IdToString(op.id) + " in channel '" + op.channel + "'");
        }
        if (message->state && message->state->deleted) {
          return fail("not_found", "message " + IdToString(op.id) + " was deleted");
        }
        bool author = message->from == me.user;
        bool moderator = me.admin || (!IsDmChannel(op.channel) &&
                                      gw_.directory.RoleIn(op.channel, me.user) >= Role::kAdmin);
        ControlPlan plan;
        plan.key = control::MessageKey(op.id);
        plan.args = {{"channel", op.channel}};
        plan.fields = {{"channel", op.channel}, {"id", IdToString(op.id)}};
        if (op.op == "edit") {
          if (!author && !moderator) {
            return fail("forbidden", "only its author or a room admin edits a message");
          }
          plan.kind = control::kMsgEdit;
          plan.args["text"] = op.text;
        } else if (op.op == "delete") {
          if (!author && !moderator) {
            return fail("forbidden", "only its author or a room admin deletes a message");
          }
          plan.kind = control::kMsgDelete;
        } else {
          plan.kind = control::kMsgReact;
          plan.args["emoji"] = op.emoji;
          plan.args["on"] = op.op == "react";
        }
        Commit(me, ref, op.op, std::move(plan));
      });
  if (!queued) gw_.SendError(s, ref, {"unavailable", "node busy; try again"});
}

}  // namespace chatctl::relay
