// The peer table and this node's heartbeats (lib/bus/mesh_peers.h): what a heartbeat carries and
// when, who is up, who is introduced to, whom a gap is fetched from, and the cluster view.
#include <catch2/catch.hpp>

#include "lib/bus/mesh_peers.h"

using namespace chatctl;
using namespace chatctl::bus;

namespace {

constexpr std::uint32_t kSelf = 1;
const std::string kOurPub = "tcp://127.0.0.1:7000";

Identity Us() { return Identity{kSelf, kOurPub, "tcp://127.0.0.1:7001", "KEY1"}; }

Heartbeat From(std::uint32_t node, std::uint64_t head = 0) {
  Heartbeat hb;
  hb.node = node;
  hb.pub = "tcp://127.0.0.1:" + std::to_string(8000 + 2 * node);
  hb.router = "tcp://127.0.0.1:" + std::to_string(8001 + 2 * node);
  hb.key = "KEY" + std::to_string(node);
  hb.head = head;
  return hb;
}

Message Event(std::uint32_t origin, std::uint64_t seq) {
  Message m;
  m.id = origin * 1000000 + seq;
  m.channel = "room";
  m.from = "u";
  m.origin = origin;
  m.seq = seq;
  return m;
}

}  // namespace

TEST_CASE("a heartbeat is the introduction plus what the node holds and whom it hears",
          "[mesh_peers]") {
  OwnHeartbeat own(Us());
  Heartbeat intro = own.Introduction(5);
  CHECK(intro.node == kSelf);
  CHECK(intro.pub == kOurPub);
  CHECK(intro.router == "tcp://127.0.0.1:7001");
  CHECK(intro.key == "KEY1");
  CHECK(intro.head == 5);
  CHECK(intro.applied.empty());
  CHECK(intro.peers.empty());
  CHECK_FALSE(intro.presence);

  Heartbeat beat = own.Next(5, {{2, 9}}, {{2, "tcp://127.0.0.1:8004", "KEY2"}});
  CHECK(beat.node == intro.node);
  CHECK(beat.pub == intro.pub);
  CHECK(beat.router == intro.router);
  CHECK(beat.key == intro.key);
  CHECK(beat.head == 5);
  CHECK(beat.applied == std::map<std::uint32_t, std::uint64_t>{{1, 5}, {2, 9}});
  REQUIRE(beat.peers.size() == 1);
  CHECK(beat.peers[0].node == 2);
}

TEST_CASE("a node with no events of its own does not claim any", "[mesh_peers]") {
  OwnHeartbeat own(Us());
  CHECK(own.Next(0, {}, {}).applied.empty());
}

TEST_CASE("presence goes out when it changed and whole every eighth heartbeat", "[mesh_peers]") {
  OwnHeartbeat own(Us());
  std::vector<bool> carried;
  for (int i = 0; i < 9; ++i) carried.push_back(own.Next(0, {}, {}).presence.has_value());
  CHECK(carried == std::vector<bool>{true, false, false, false, false, false, false, false, true});

  own.SetPresence({{"lobby", {"alice"}}});
  Heartbeat changed = own.Next(0, {}, {});
  REQUIRE(changed.presence);
  CHECK(changed.presence->at("lobby") == std::set<std::string>{"alice"});
  CHECK(changed.presence_version == 1);
  CHECK_FALSE(own.Next(0, {}, {}).presence);

  own.SetPresence({{"lobby", {"alice"}}});  // the same again is no change
  Heartbeat same = own.Next(0, {}, {});
  CHECK_FALSE(same.presence);
  CHECK(same.presence_version == 1);
}

TEST_CASE("a node heard for the first time is subscribed to and given a dealer", "[mesh_peers]") {
  PeerTable peers(kSelf, 100, 4);
  Heard first = peers.Hear(From(2), kOurPub, 0, 1000);
  CHECK(first.subscribe_pub);
  CHECK(first.connect_router);
  CHECK(peers.peers().at(2).up);
  CHECK_FALSE(peers.peers().at(2).reachable);

  peers.SetReachable(2, true);
  Heard again = peers.Hear(From(2), kOurPub, 100, 1100);
  CHECK_FALSE(again.subscribe_pub);
  CHECK_FALSE(again.connect_router);
  CHECK(peers.peers().at(2).reachable);

  Heartbeat rekeyed = From(2);
  rekeyed.key = "OTHER";
  CHECK(peers.Hear(rekeyed, kOurPub, 200, 1200).connect_router);
  CHECK_FALSE(peers.peers().at(2).reachable);
}

TEST_CASE("a router that is not a tcp endpoint gets no dealer", "[mesh_peers]") {
  PeerTable peers(kSelf, 100, 4);
  Heartbeat hb = From(2);
  hb.router = "ipc:///tmp/elsewhere";
  CHECK_FALSE(peers.Hear(hb, kOurPub, 0, 0).connect_router);
  CHECK(peers.peers().at(2).router.empty());
  CHECK_FALSE(PlausibleEndpoint("ipc:///tmp/elsewhere"));
  CHECK_FALSE(PlausibleEndpoint("tcp://" + std::string(300, 'a')));
  CHECK(PlausibleEndpoint("tcp://10.1.2.3:7448"));
}

TEST_CASE("a node's presence is handed on once per version", "[mesh_peers]") {
  PeerTable peers(kSelf, 100, 4);
  Heartbeat hb = From(2);
  hb.presence_version = 1;
  hb.presence = PresenceMap{{"lobby", {"bob"}}};
  auto first = peers.Hear(hb, kOurPub, 0, 0).presence;
  REQUIRE(first);
  CHECK(first->at("lobby") == std::set<std::string>{"bob"});
  CHECK_FALSE(peers.Hear(hb, kOurPub, 100, 0).presence);
  hb.presence_version = 2;
  CHECK(peers.Hear(hb, kOurPub, 200, 0).presence);
}

TEST_CASE("a node silent for the down interval is down and its users leave presence",
          "[mesh_peers]") {
  PeerTable peers(kSelf, 100, 4);
  Heartbeat with_users = From(2);
  with_users.presence = PresenceMap{{"lobby", {"bob"}}};
  peers.Hear(with_users, kOurPub, 0, 0);
  peers.Hear(From(3), kOurPub, 0, 0);

  CHECK(peers.MarkSilentDown(400).empty());
  CHECK(peers.peers().at(2).up);
  CHECK(peers.MarkSilentDown(401) == std::vector<std::uint32_t>{2});
  CHECK_FALSE(peers.peers().at(2).up);
  CHECK_FALSE(peers.peers().at(3).up);
  CHECK(peers.MarkSilentDown(1000).empty());
  CHECK(peers.LiveEntries().empty());
}

TEST_CASE("a live node that does not hear us is introduced to once per heartbeat interval",
          "[mesh_peers]") {
  PeerTable peers(kSelf, 100, 4);
  peers.Hear(From(2), kOurPub, 1000, 0);
  CHECK(peers.DueForIntroduction(1000).empty());  // no dealer to send it on yet
  peers.SetReachable(2, true);
  CHECK(peers.DueForIntroduction(1000) == std::vector<std::uint32_t>{2});
  CHECK(peers.DueForIntroduction(1099).empty());
  CHECK(peers.DueForIntroduction(1100) == std::vector<std::uint32_t>{2});

  Heartbeat hears_us = From(2);
  hears_us.peers = {{kSelf, kOurPub, "KEY1"}};
  peers.Hear(hears_us, kOurPub, 1200, 0);
  CHECK(peers.DueForIntroduction(5000).empty());

  Heartbeat hears_another_us = From(2);
  hears_another_us.peers = {{kSelf, "tcp://127.0.0.1:9999", ""}};  // our id, not our endpoint
  peers.Hear(hears_another_us, kOurPub, 5000, 0);
  CHECK(peers.DueForIntroduction(5100) == std::vector<std::uint32_t>{2});
}

TEST_CASE("a gap is fetched from its origin when it is up, else from a node that holds it",
          "[mesh_peers]") {
  PeerTable peers(kSelf, 100, 4);
  Heartbeat origin = From(3, 10);
  Heartbeat holder = From(2, 0);
  holder.applied = {{3, 8}};
  peers.Hear(origin, kOurPub, 0, 0);
  peers.Hear(holder, kOurPub, 0, 0);
  Gap gap{3, 5, 10};
  CHECK_FALSE(peers.SourceFor(gap));  // nobody reachable yet
  peers.SetReachable(2, true);
  CHECK(peers.SourceFor(gap) == 2u);
  peers.SetReachable(3, true);
  CHECK(peers.SourceFor(gap) == 3u);
  CHECK(peers.SourceFor(Gap{3, 9, 10}) == 3u);
  peers.MarkSilentDown(1000);
  CHECK_FALSE(peers.SourceFor(gap));
  peers.Hear(holder, kOurPub, 1000, 0);
  CHECK(peers.SourceFor(gap) == 2u);
  CHECK_FALSE(peers.SourceFor(Gap{3, 8, 10}));  // it holds only up to 8
}

TEST_CASE("the node is caught up when a peer is up and no other origin has a hole",
          "[mesh_peers]") {
  PeerTable peers(kSelf, 100, 4);
  OriginTracker tracker(100);
  ClusterView alone = peers.View(tracker);
  CHECK(alone.meshed);
  CHECK_FALSE(alone.caught_up);  // nobody to agree with yet

  peers.Hear(From(2, 3), kOurPub, 0, 1234);
  tracker.NoteHead(2, 3);
  tracker.NoteHead(kSelf, 50);  // our own stream never counts as behind
  ClusterView behind = peers.View(tracker);
  CHECK_FALSE(behind.caught_up);
  REQUIRE(behind.peers.size() == 1);
  CHECK(behind.peers[0].node == 2);
  CHECK(behind.peers[0].address == From(2).pub);
  CHECK(behind.peers[0].last_heartbeat_ms == 1234);
  CHECK(behind.peers[0].head_seq == 3);
  CHECK(behind.peers[0].applied_seq == 0);

  tracker.Offer({Event(2, 1), Event(2, 2), Event(2, 3)});
  ClusterView level = peers.View(tracker);
  CHECK(level.caught_up);
  CHECK(level.peers[0].applied_seq == 3);
}
