// Room, moderation and message-change requests over WebSocket: room info, create, topic, invite,
// remove, kick, ban, unban, and edit, delete, react, unreact. Each is checked against the
// directory (and, where a message's author or a room's past matters, the store through the query
// worker), planned by relay/control_rules.h like the admin API's, and answered `ok` once its
// event is durable. Runs on the gateway thread, which owns this object.
#pragma once

#include "lib/protocol.h"
#include "relay/gateway_context.h"

namespace chatctl::relay {

class Rooms {
 public:
  explicit Rooms(GatewayContext& gw) : gw_(gw) {}

  void RoomOp(Session& s, const protocol::Ref& ref, const protocol::RoomOp& op);
  void MessageOp(Session& s, const protocol::Ref& ref, const protocol::MessageOp& op);

 private:
  // Whether the session may moderate the room as `op` needs: room admins manage members, only
  // the owner manages admins, cluster administrators do anything.
  Status CheckModerator(const Session& s, const protocol::RoomOp& op) const;
  void Create(Session& s, const protocol::Ref& ref, const protocol::RoomOp& op);
  // Commits `plan` by the session's user and answers `ok` with its fields and `op`.
  void Commit(Session& s, const protocol::Ref& ref, const std::string& op,
              Result<ControlPlan> plan);

  GatewayContext& gw_;
};

}  // namespace chatctl::relay
