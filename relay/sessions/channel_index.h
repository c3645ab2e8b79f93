// Who is where, for the gateway: room -> joined sessions, user -> sessions (a DM reaches both
// users' sessions without a join), and presence: this node's users per room, counted by session,
// and other nodes' as the bus reports them. It tells a room's sessions when a user comes or goes
// anywhere in the cluster, and hands this node's presence to the bus at most once per tick.
//
// No lws here: it speaks through an Outbound, so it is unit-tested with a fake one and a fake
// Bus. Gateway thread only. A session leaves every index (Remove) before it is deleted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "lib/bus/bus.h"
#include "lib/message.h"
#include "relay/gateway_stats.h"
#include "relay/sessions/outbound.h"
#include "relay/sessions/session.h"

namespace chatctl::relay {

class ChannelIndex {
 public:
  // Rooms with more members than `presence_events_max` (0: no limit) get no join/leave events:
  // their members ask with `presence` instead. `stats` counts what was skipped and delivered.
  ChannelIndex(Outbound& out, std::size_t presence_events_max, GatewayStats& stats)
      : out_(out), presence_events_max_(presence_events_max), stats_(stats) {}

  // A welcomed session: DMs to its user reach it from now on.
  void AddUser(Session& s);
  // A closing session leaves every room it joined and the user index.
  void Remove(Session& s);
  // Into a room or DM channel, and out of it. Presence changes are announced to the room's other
  // sessions when the user was online in it nowhere else in the cluster. `channel` by value:
  // callers pass keys of s.channels, which Leave erases.
  void Join(Session& s, const std::string& channel);
  void Leave(Session& s, std::string channel);

  // A committed chat message to everyone who should see it (serialized once, on the first), held
  // back for sessions still replaying that channel's history.
  void Deliver(const Message& m);
  // A live event (topic, member, edit, reaction) to everyone in the channel.
  void Broadcast(const std::string& channel, const Line& line);

  // The ids of the sessions joined to a room now (a copy: callers leave them from the room).
  std::vector<SessionId> JoinedTo(const std::string& room) const;
  // The sessions of a user on this node; empty when none.
  std::vector<Session*> SessionsOf(const std::string& user) const;
  // Users online in a channel on any node, sorted.
  std::vector<std::string> OnlineIn(const std::string& channel) const;
  std::size_t room_count() const { return rooms_.size(); }
  std::size_t user_count() const { return users_.size(); }

  // Another node's users, whole (empty: it went away). Announces what changed cluster-wide.
  void SetRemotePresence(std::uint32_t node, bus::PresenceMap users);
  // This node's presence to the bus, when it changed since the last call.
  void PublishPresence(bus::Bus& bus);

 private:
  // Sessions by id with the pointer beside: fan-out needs no lookup per delivery.
  using SessionSet = std::map<SessionId, Session*>;

  template <class F>
  void ForEachRecipient(const std::string& channel, F&& f) const;
  bool PresentLocally(const std::string& channel, const std::string& user) const;
  // On another node, not counting `except_node`.
  bool PresentRemotely(const std::string& channel, const std::string& user,
                       std::optional<std::uint32_t> except_node = std::nullopt) const;
  // Tells this node's sessions in the room (but `skip`) that a user came or went.
  void AnnouncePresence(const std::string& channel, const std::string& user, bool joined,
                        SessionId skip = 0);

  Outbound& out_;
  const std::size_t presence_events_max_;
  GatewayStats& stats_;
  std::unordered_map<std::string, SessionSet> rooms_;                     // room -> joined sessions
  std::unordered_map<std::string, SessionSet> users_;                     // user -> sessions
  std::unordered_map<std::string, std::map<std::string, int>> presence_;  // room -> user -> count
  std::map<std::uint32_t, bus::PresenceMap> remote_presence_;  // other node -> room -> users
  bool presence_changed_ = false;  // presence_ changed since the bus last had it
};

}  // namespace chatctl::relay
