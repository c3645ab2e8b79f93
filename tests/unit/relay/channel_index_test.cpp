// The channel index with presence, against a recording Outbound and a fake Bus: who receives a
// message, a DM, a live event, and which joins and leaves are news to a room.
#include "relay/sessions/channel_index.h"

#include <catch2/catch.hpp>
#include <memory>

#include "lib/protocol.h"
#include "unit/support/fake_bus.h"
#include "unit/support/recording_outbound.h"

namespace chatctl::relay {
namespace {

using testing::FakeBus;
using testing::RecordingOutbound;

struct Fixture {
  explicit Fixture(std::size_t presence_events_max = 1000)
      : index(out, presence_events_max, stats) {}

  Session& Connect(const std::string& user) {
    sessions.push_back(std::make_unique<Session>(next_id++, nullptr, limits, 0));
    Session& s = *sessions.back();
    s.user = user;
    index.AddUser(s);
    return s;
  }

  Message Chat(const std::string& channel, MessageId id) {
    Message m;
    m.id = id;
    m.channel = channel;
    m.from = "alice";
    m.text = "hi";
    return m;
  }

  Limits limits;
  GatewayStats stats;
  RecordingOutbound out;
  ChannelIndex index;
  std::vector<std::unique_ptr<Session>> sessions;
  SessionId next_id = 1;
};

bool IsPresence(const std::string& line, const std::string& user, bool joined) {
  return line == protocol::PresenceEvent("general", user, joined);
}

TEST_CASE("a message to a room reaches each joined session once, serialized once", "[index]") {
  Fixture f;
  Session& a = f.Connect("alice");
  Session& b = f.Connect("bob");
  Session& c = f.Connect("carol");
  f.index.Join(a, "general");
  f.index.Join(b, "general");
  f.out.sent.clear();
  f.index.Deliver(f.Chat("general", 7));
  REQUIRE(f.out.sent.size() == 2);
  CHECK(f.out.sent[0].line == f.out.sent[1].line);  // one string shared by both
  CHECK(f.out.TextsTo(a.id).size() == 1);
  CHECK(f.out.TextsTo(b.id).size() == 1);
  CHECK(f.out.TextsTo(c.id).empty());
}

TEST_CASE("a DM reaches every session of both users without a join", "[index]") {
  Fixture f;
  Session& a1 = f.Connect("alice");
  Session& a2 = f.Connect("alice");
  Session& b = f.Connect("bob");
  Session& c = f.Connect("carol");
  f.index.Deliver(f.Chat("dm:alice:bob", 9));
  CHECK(f.out.TextsTo(a1.id).size() == 1);
  CHECK(f.out.TextsTo(a2.id).size() == 1);
  CHECK(f.out.TextsTo(b.id).size() == 1);
  CHECK(f.out.TextsTo(c.id).empty());
}

TEST_CASE("a session replaying a channel's history holds live messages back", "[index]") {
  Fixture f;
  Session& a = f.Connect("alice");
  f.index.Join(a, "general");
  a.channels["general"].replaying = true;
  ++a.replaying_channels;
  f.out.sent.clear();
  f.index.Deliver(f.Chat("general", 11));
  CHECK(f.out.sent.empty());
  REQUIRE(a.channels["general"].held.size() == 1);
  CHECK(a.channels["general"].held[0].id == 11);
}

TEST_CASE("live messages a cursor join saw on another node are dropped until the node passes them",
          "[index][cursor]") {
  Fixture f;
  Session& a = f.Connect("alice");
  Session& b = f.Connect("bob");
  f.index.Join(a, "general");
  f.index.Join(b, "general");
  a.channels["general"].seen_elsewhere = {{2, 10}};
  ++a.seen_elsewhere_channels;
  f.out.sent.clear();
  auto from = [&](std::uint32_t origin, std::uint64_t seq, MessageId id) {
    Message m = f.Chat("general", id);
    m.origin = origin;
    m.seq = seq;
    return m;
  };
  f.index.Deliver(from(2, 9, 100));   // given to alice on the node she came from
  f.index.Deliver(from(2, 10, 101));  // the same
  f.index.Deliver(from(1, 3, 102));   // another origin: not affected
  f.index.Deliver(from(2, 11, 103));  // new to alice: from here on nothing is dropped
  CHECK(f.out.TextsTo(a.id).size() == 2);
  CHECK(f.out.TextsTo(b.id).size() == 4);
  CHECK(a.channels["general"].seen_elsewhere.empty());
  CHECK(a.seen_elsewhere_channels == 0);
}

TEST_CASE("leaving a channel with positions seen elsewhere forgets them", "[index][cursor]") {
  Fixture f;
  Session& a = f.Connect("alice");
  f.index.Join(a, "general");
  a.channels["general"].seen_elsewhere = {{2, 10}};
  ++a.seen_elsewhere_channels;
  f.index.Leave(a, "general");
  CHECK(a.seen_elsewhere_channels == 0);
}

TEST_CASE("a user's first session in a room is news to the others, a second one is not",
          "[presence]") {
  Fixture f;
  Session& a = f.Connect("alice");
  Session& b1 = f.Connect("bob");
  Session& b2 = f.Connect("bob");
  f.index.Join(a, "general");
  f.index.Join(b1, "general");
  REQUIRE(f.out.TextsTo(a.id).size() == 1);
  CHECK(IsPresence(f.out.TextsTo(a.id)[0], "bob", true));
  CHECK(f.out.TextsTo(b1.id).empty());  // not told of its own join
  f.index.Join(b2, "general");
  CHECK(f.out.TextsTo(a.id).size() == 1);
  f.index.Leave(b1, "general");
  CHECK(f.out.TextsTo(a.id).size() == 1);  // bob is still there on b2
  f.index.Remove(b2);
  REQUIRE(f.out.TextsTo(a.id).size() == 2);
  CHECK(IsPresence(f.out.TextsTo(a.id)[1], "bob", false));
  CHECK(f.index.OnlineIn("general") == std::vector<std::string>{"alice"});
}

TEST_CASE("a user online on another node coming here, or going there while here, is no news",
          "[presence]") {
  Fixture f;
  Session& a = f.Connect("alice");
  f.index.Join(a, "general");
  f.index.SetRemotePresence(2, {{"general", {"bob"}}});
  REQUIRE(f.out.TextsTo(a.id).size() == 1);
  CHECK(IsPresence(f.out.TextsTo(a.id)[0], "bob", true));
  Session& b = f.Connect("bob");
  f.index.Join(b, "general");  // bob was online already, on node 2
  CHECK(f.out.TextsTo(a.id).size() == 1);
  f.index.SetRemotePresence(2, {});  // node 2 went away; bob stays here
  CHECK(f.out.TextsTo(a.id).size() == 1);
  CHECK(f.index.OnlineIn("general") == std::vector<std::string>{"alice", "bob"});
}

TEST_CASE("a node that goes away takes its users out of presence, and the room hears it",
          "[presence]") {
  Fixture f;
  Session& a = f.Connect("alice");
  f.index.Join(a, "general");
  f.index.SetRemotePresence(2, {{"general", {"bob", "carol"}}});
  f.index.SetRemotePresence(3, {{"general", {"carol"}}});
  f.out.sent.clear();
  f.index.SetRemotePresence(2, {});
  // bob is gone; carol is still online on node 3.
  REQUIRE(f.out.TextsTo(a.id).size() == 1);
  CHECK(IsPresence(f.out.TextsTo(a.id)[0], "bob", false));
  CHECK(f.index.OnlineIn("general") == std::vector<std::string>{"alice", "carol"});
}

TEST_CASE("this node's presence reaches the bus whole, once per change", "[presence]") {
  Fixture f;
  FakeBus bus;
  f.index.PublishPresence(bus);
  CHECK(bus.presence_sent.empty());  // nothing changed yet
  Session& a = f.Connect("alice");
  Session& b = f.Connect("bob");
  f.index.Join(a, "general");
  f.index.Join(b, "general");
  f.index.Join(b, "random");
  f.index.PublishPresence(bus);
  f.index.PublishPresence(bus);
  REQUIRE(bus.presence_sent.size() == 1);
  bus::PresenceMap want = {{"general", {"alice", "bob"}}, {"random", {"bob"}}};
  CHECK(bus.presence_sent[0] == want);
  f.index.Remove(b);
  f.index.PublishPresence(bus);
  REQUIRE(bus.presence_sent.size() == 2);
  CHECK(bus.presence_sent[1] == bus::PresenceMap{{"general", {"alice"}}});
}

TEST_CASE("a room past the presence limit hears no joins or leaves, and they are counted",
          "[presence]") {
  Fixture f(/*presence_events_max=*/2);
  Session& a = f.Connect("alice");
  Session& b = f.Connect("bob");
  Session& c = f.Connect("carol");
  f.index.Join(a, "general");
  f.index.Join(b, "general");
  f.out.sent.clear();
  f.index.Join(c, "general");  // three sessions: past the limit of two
  CHECK(f.out.sent.empty());
  CHECK(f.stats.presence_events_skipped == 1);
}

TEST_CASE("a closed session leaves every room and the user index", "[index]") {
  Fixture f;
  Session& a = f.Connect("alice");
  f.index.Join(a, "general");
  f.index.Join(a, "random");
  f.index.Join(a, "dm:alice:bob");
  f.index.Remove(a);
  CHECK(a.channels.empty());
  CHECK(f.index.room_count() == 0);
  CHECK(f.index.user_count() == 0);
  CHECK(f.index.SessionsOf("alice").empty());
  f.out.sent.clear();
  f.index.Deliver(f.Chat("dm:alice:bob", 3));
  CHECK(f.out.sent.empty());
}

}  // namespace
}  // namespace chatctl::relay
