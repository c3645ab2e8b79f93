// The peer table and this node's heartbeats (see mesh_peers.h).
#include "lib/bus/mesh_peers.h"

#include <algorithm>

#include "lib/log.h"

namespace chatctl::bus {

bool PlausibleEndpoint(const std::string& endpoint) {
  return endpoint.size() < 256 && endpoint.rfind("tcp://", 0) == 0;
}

void OwnHeartbeat::SetPresence(PresenceMap presence) {
  if (presence == presence_) return;
  presence_ = std::move(presence);
  ++presence_version_;
  presence_sent_ = false;
}

Heartbeat OwnHeartbeat::Introduction(std::uint64_t own_head) const {
  Heartbeat hb;
  hb.node = self_.node;
  hb.pub = self_.pub;
  hb.router = self_.router;
  hb.key = self_.key;
  hb.head = own_head;
  return hb;
}

Heartbeat OwnHeartbeat::Next(std::uint64_t own_head, std::map<std::uint32_t, std::uint64_t> applied,
                             std::vector<Heartbeat::PeerEntry> live) {
  Heartbeat hb = Introduction(own_head);
  hb.applied = std::move(applied);
  if (own_head > 0) hb.applied[self_.node] = own_head;
  hb.peers = std::move(live);
  hb.presence_version = presence_version_;
  if (!presence_sent_ || heartbeats_sent_ % kFullPresenceEvery == 0) hb.presence = presence_;
  presence_sent_ = true;
  ++heartbeats_sent_;
  return hb;
}

Heard PeerTable::Hear(const Heartbeat& hb, const std::string& our_pub, std::int64_t now_ms,
                      std::int64_t wall_ms) {
  Heard heard;
  Peer& peer = peers_[hb.node];
  if (!peer.up) log::Info("mesh: peer up", {{"peer", std::to_string(hb.node)}, {"pub", hb.pub}});
  if (peer.pub != hb.pub) {
    peer.pub = hb.pub;
    heard.subscribe_pub = true;
  }
  if ((peer.router != hb.router || peer.key != hb.key) && PlausibleEndpoint(hb.router)) {
    peer.router = hb.router;
    peer.key = hb.key;
    peer.reachable = false;
    heard.connect_router = true;
  }
  peer.up = true;
  peer.last_heard_ms = now_ms;
  peer.last_heard_wall = wall_ms;
  peer.head = hb.head;
  peer.applied = hb.applied;
  peer.hears_us = std::any_of(hb.peers.begin(), hb.peers.end(),
                              [&](const auto& p) { return p.node == self_ && p.pub == our_pub; });
  if (hb.presence && (hb.presence_version != peer.presence_version || !peer.has_presence)) {
    peer.presence_version = hb.presence_version;
    peer.has_presence = true;
    heard.presence = *hb.presence;
  }
  return heard;
}

void PeerTable::SetReachable(std::uint32_t node, bool reachable) {
  if (auto it = peers_.find(node); it != peers_.end()) it->second.reachable = reachable;
}

std::vector<std::uint32_t> PeerTable::MarkSilentDown(std::int64_t now_ms) {
  std::vector<std::uint32_t> gone;
  for (auto& [node, peer] : peers_) {
    if (!peer.up || now_ms - peer.last_heard_ms <= down_after_heartbeats_ * heartbeat_ms_) continue;
    peer.up = false;
    peer.hears_us = false;
    log::Warn("mesh: peer down", {{"peer", std::to_string(node)}, {"pub", peer.pub}});
    if (peer.has_presence) {
      peer.has_presence = false;
      gone.push_back(node);
    }
  }
  return gone;
}

std::vector<std::uint32_t> PeerTable::DueForIntroduction(std::int64_t now_ms) {
  std::vector<std::uint32_t> due;
  for (auto& [node, peer] : peers_) {
    if (!peer.up || peer.hears_us || !peer.reachable) continue;
    if (now_ms - peer.last_announce_ms < heartbeat_ms_) continue;
    peer.last_announce_ms = now_ms;
    due.push_back(node);
  }
  return due;
}

std::vector<Heartbeat::PeerEntry> PeerTable::LiveEntries() const {
  std::vector<Heartbeat::PeerEntry> live;
  for (const auto& [node, peer] : peers_) {
    if (peer.up) live.push_back({node, peer.pub, peer.key});
  }
  return live;
}

std::optional<std::uint32_t> PeerTable::SourceFor(const Gap& gap) const {
  if (auto it = peers_.find(gap.origin); it != peers_.end()) {
    const Peer& p = it->second;
    if (p.up && p.reachable && p.head > gap.after) return gap.origin;
  }
  for (const auto& [node, p] : peers_) {
    auto have = p.applied.find(gap.origin);
    if (p.up && p.reachable && have != p.applied.end() && have->second > gap.after) return node;
  }
  return std::nullopt;
}

ClusterView PeerTable::View(const OriginTracker& tracker) const {
  ClusterView view;
  view.meshed = true;
  bool any_up = false;
  for (const auto& [node, peer] : peers_) {
    PeerState state;
    state.node = node;
    state.address = peer.pub;
    state.up = peer.up;
    state.last_heartbeat_ms = peer.last_heard_wall;
    state.head_seq = std::max(peer.head, tracker.known_head(node));
    state.applied_seq = tracker.applied(node);
    any_up = any_up || peer.up;
    view.peers.push_back(state);
  }
  bool level = true;
  for (const Gap& gap : tracker.Gaps()) {
    if (gap.origin != self_) level = false;
  }
  view.caught_up = any_up && level;
  return view;
}

}  // namespace chatctl::bus
