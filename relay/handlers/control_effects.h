// What a durable control event, this node's or another's, changes for this node's sessions: the
// directory takes the state the commit folded; sessions of a kicked, banned, disabled or deleted
// user are closed; sessions leave a room they may no longer be in; the room hears live events
// (topic, members, edits, deletes, reactions). Gateway thread only.
#pragma once

#include <cstdint>
#include <string>

#include "relay/events.h"
#include "relay/gateway_context.h"

namespace chatctl::relay {

class ControlEffects {
 public:
  explicit ControlEffects(GatewayContext& gw) : gw_(gw) {}

  void Apply(const WriteJob& job);

 private:
  // Closes the user's sessions, or with `room` only those joined to it.
  void CloseUserSessions(const std::string& user, const std::string& room, std::uint16_t code,
                         const std::string& reason);
  // Takes `user`'s sessions out of the room, or with no user everyone it no longer admits.
  void RemoveFromRoom(const std::string& room, const std::string& user, const std::string& reason);

  GatewayContext& gw_;
};

}  // namespace chatctl::relay
