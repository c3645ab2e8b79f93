// Rooms, users and presence on the gateway thread (see channel_index.h).
#include "relay/sessions/channel_index.h"

#include <set>

#include "lib/names.h"
#include "lib/protocol.h"

namespace chatctl::relay {

// A DM reaches every session of both its users; a room, the sessions joined to it.
template <class F>
void ChannelIndex::ForEachRecipient(const std::string& channel, F&& f) const {
  if (auto dm = ParseDmChannel(channel)) {
    for (const std::string* user : {&dm->first, &dm->second}) {
      if (auto it = users_.find(*user); it != users_.end()) {
        for (const auto& [id, s] : it->second) f(*s);
      }
      if (dm->first == dm->second) break;
    }
    return;
  }
  if (auto it = rooms_.find(channel); it != rooms_.end()) {
    for (const auto& [id, s] : it->second) f(*s);
  }
}

void ChannelIndex::AddUser(Session& s) { users_[s.user].emplace(s.id, &s); }

void ChannelIndex::Remove(Session& s) {
  while (!s.channels.empty()) Leave(s, s.channels.begin()->first);
  if (!s.authenticated()) return;
  auto it = users_.find(s.user);
  if (it == users_.end()) return;
  it->second.erase(s.id);
  if (it->second.empty()) users_.erase(it);
}

void ChannelIndex::Join(Session& s, const std::string& channel) {
  s.channels.emplace(channel, JoinedChannel{});
  if (IsDmChannel(channel)) return;  // DMs reach their users through users_
  rooms_[channel].emplace(s.id, &s);
  if (++presence_[channel][s.user] == 1) {
    presence_changed_ = true;
    if (!PresentRemotely(channel, s.user)) AnnouncePresence(channel, s.user, true, s.id);
  }
}

void ChannelIndex::Leave(Session& s, std::string channel) {
  auto joined = s.channels.find(channel);
  if (joined != s.channels.end()) {
    if (joined->second.replaying) --s.replaying_channels;
    if (!joined->second.seen_elsewhere.empty()) --s.seen_elsewhere_channels;
    s.channels.erase(joined);
  }
  if (IsDmChannel(channel)) return;
  auto room = rooms_.find(channel);
  if (room != rooms_.end()) {
    room->second.erase(s.id);
    if (room->second.empty()) rooms_.erase(room);
  }
  auto present = presence_.find(channel);
  if (present == presence_.end()) return;
  auto user = present->second.find(s.user);
  if (user == present->second.end() || --user->second > 0) return;
  present->second.erase(user);
  if (present->second.empty()) presence_.erase(present);
  presence_changed_ = true;
  if (!PresentRemotely(channel, s.user)) AnnouncePresence(channel, s.user, false);
}

void ChannelIndex::Deliver(const Message& m) {
  Line line;  // serialized once, on the first recipient
  ForEachRecipient(m.channel, [&](Session& s) {
    if (!line) line = std::make_shared<const std::string>(protocol::MessageJson(m));
    // Else no lookup: this runs once per delivery.
    if (s.replaying_channels > 0 || s.seen_elsewhere_channels > 0) {
      auto it = s.channels.find(m.channel);
      if (it != s.channels.end()) {
        if (it->second.replaying) {
          it->second.held.push_back({m.id, m.origin, m.seq, line});
          return;
        }
        if (s.SeenElsewhere(it->second, m.origin, m.seq)) return;
      }
    }
    out_.Send(s, line);
  });
}

void ChannelIndex::Broadcast(const std::string& channel, const Line& line) {
  ForEachRecipient(channel, [&](Session& s) { out_.Send(s, line); });  // a close only asks lws
}

std::vector<SessionId> ChannelIndex::JoinedTo(const std::string& room) const {
  std::vector<SessionId> ids;
  if (auto it = rooms_.find(room); it != rooms_.end()) {
    for (const auto& entry : it->second) ids.push_back(entry.first);
  }
  return ids;
}

std::vector<Session*> ChannelIndex::SessionsOf(const std::string& user) const {
  std::vector<Session*> sessions;
  if (auto it = users_.find(user); it != users_.end()) {
    for (const auto& entry : it->second) sessions.push_back(entry.second);
  }
  return sessions;
}

std::vector<std::string> ChannelIndex::OnlineIn(const std::string& channel) const {
  std::set<std::string> users;
  if (auto it = presence_.find(channel); it != presence_.end()) {
    for (const auto& [user, count] : it->second) users.insert(user);
  }
  for (const auto& [node, rooms] : remote_presence_) {
    if (auto it = rooms.find(channel); it != rooms.end()) {
      users.insert(it->second.begin(), it->second.end());
    }
  }
  return {users.begin(), users.end()};
}

bool ChannelIndex::PresentLocally(const std::string& channel, const std::string& user) const {
  auto room = presence_.find(channel);
  return room != presence_.end() && room->second.count(user) != 0;
}

bool ChannelIndex::PresentRemotely(const std::string& channel, const std::string& user,
                                   std::optional<std::uint32_t> except_node) const {
  for (const auto& [node, rooms] : remote_presence_) {
    if (node == except_node) continue;
    auto room = rooms.find(channel);
    if (room != rooms.end() && room->second.count(user) != 0) return true;
  }
  return false;
}

void ChannelIndex::AnnouncePresence(const std::string& channel, const std::string& user,
                                    bool joined, SessionId skip) {
  auto sessions = rooms_.find(channel);
  if (sessions == rooms_.end()) return;
  if (presence_events_max_ > 0 && sessions->second.size() > presence_events_max_) {
    ++stats_.presence_events_skipped;
    return;  // a big room: members ask with `presence` instead
  }
  Line event = std::make_shared<const std::string>(protocol::PresenceEvent(channel, user, joined));
  for (const auto& [id, other] : sessions->second) {
    if (id != skip) out_.Send(*other, event);
  }
}

void ChannelIndex::SetRemotePresence(std::uint32_t node, bus::PresenceMap users) {
  bus::PresenceMap before;
  if (auto it = remote_presence_.find(node); it != remote_presence_.end()) {
    before = std::move(it->second);
  }
  // Only a change of the cluster-wide answer is news: a user still online elsewhere did not go.
  auto online_elsewhere = [&](const std::string& channel, const std::string& user) {
    return PresentLocally(channel, user) || PresentRemotely(channel, user, node);
  };
  for (const auto& [channel, gone] : before) {
    auto now = users.find(channel);
    for (const auto& user : gone) {
      bool stays = now != users.end() && now->second.count(user) != 0;
      if (!stays && !online_elsewhere(channel, user)) AnnouncePresence(channel, user, false);
    }
  }
  for (const auto& [channel, present] : users) {
    auto was = before.find(channel);
    for (const auto& user : present) {
      bool new_here = was == before.end() || was->second.count(user) == 0;
      if (new_here && !online_elsewhere(channel, user)) AnnouncePresence(channel, user, true);
    }
  }
  if (users.empty()) {
    remote_presence_.erase(node);
  } else {
    remote_presence_[node] = std::move(users);
  }
}

void ChannelIndex::PublishPresence(bus::Bus& bus) {
  if (!presence_changed_) return;  // at most one copy per tick, however many joins came between
  presence_changed_ = false;
  bus::PresenceMap local;
  for (const auto& [channel, users] : presence_) {
    auto& set = local[channel];
    for (const auto& [user, count] : users) set.insert(user);
  }
  bus.SetPresence(std::move(local));
}

}  // namespace chatctl::relay
