// What mesh nodes say to each other (lib/bus/mesh_wire.h): round trips, and every kind of bad
// bytes from a peer coming back as nullopt rather than an exception or a bad row.
#include <catch2/catch.hpp>

#include "lib/bus/mesh_wire.h"

using namespace chatctl;
using namespace chatctl::bus;

namespace {

Message Event() {
  Message m;
  m.id = 912576595879788544ULL;
  m.channel = "general";
  m.from = "alice";
  m.text = "héllo \"quoted\"\nnewline";
  m.ts = 1795412015311;
  m.origin = 3;
  m.seq = 42;
  return m;
}

}  // namespace

TEST_CASE("events survive the round trip byte for byte", "[mesh_wire]") {
  Message dm = Event();
  dm.channel = "dm:alice:bob";
  auto decoded = DecodeEvents(EncodeEvents({Event(), dm}));
  REQUIRE(decoded);
  REQUIRE(decoded->size() == 2);
  const Message& m = (*decoded)[0];
  CHECK(m.id == Event().id);
  CHECK(m.text == Event().text);
  CHECK(m.ts == Event().ts);
  CHECK(m.origin == 3);
  CHECK(m.seq == 42);
  CHECK((*decoded)[1].channel == "dm:alice:bob");
}

TEST_CASE("a heartbeat survives the round trip", "[mesh_wire]") {
  Heartbeat hb;
  hb.node = 7;
  hb.pub = "tcp://127.0.0.1:7448";
  hb.router = "tcp://127.0.0.1:7449";
  hb.head = 99;
  hb.applied = {{1, 5}, {7, 99}};
  hb.key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
  hb.peers = {{1, "tcp://127.0.0.1:9000", ""}};
  hb.presence_version = 3;
  hb.presence = PresenceMap{{"lobby", {"alice", "bob"}}};
  auto back = DecodeHeartbeat(EncodeHeartbeat(hb));
  REQUIRE(back);
  CHECK(back->node == 7);
  CHECK(back->router == hb.router);
  CHECK(back->key == hb.key);
  CHECK(back->applied == hb.applied);
  CHECK(back->peers == hb.peers);
  REQUIRE(back->presence);
  CHECK(*back->presence == *hb.presence);
  hb.presence.reset();
  auto without = DecodeHeartbeat(EncodeHeartbeat(hb));
  REQUIRE(without);
  CHECK(!without->presence);
}

TEST_CASE("fetch requests and replies survive the round trip", "[mesh_wire]") {
  auto request = DecodeFetch(EncodeFetch({5, 1000, 500}));
  REQUIRE(request);
  CHECK(request->origin == 5);
  CHECK(request->after == 1000);
  CHECK(request->limit == 500);
  auto reply = DecodeFetchReply(EncodeFetchReply({3, {Event()}}));
  REQUIRE(reply);
  CHECK(reply->events.size() == 1);
}

TEST_CASE("malformed mesh input is refused, never thrown", "[mesh_wire]") {
  const char* bad_events[] = {
      "",
      "not json",
      "{}",
      "[[1]]",
      R"([["1","general","alice","t",1,3,42]])",         // id as a string
      R"([[1,"Bad Channel","alice","t",1,3,42]])",       // not a channel name
      R"([[1,"general","Alice!","t",1,3,42]])",          // not a user name
      R"([[1,"general","alice","t",1,5000,42]])",        // node id out of range
      R"([[1,"general","alice","t",1,3,0]])",            // seq 0
      R"([[0,"general","alice","t",1,3,1]])",            // id 0
      R"([[1,"general","alice",null,1,3,1]])",           // text null
      R"([[1,"dm:bob:alice","alice","t",1,3,1]])",       // dm names unsorted
      "[[1,\"general\",\"alice\",\"\xff\xfe\",1,3,1]]",  // invalid UTF-8
  };
  for (const char* body : bad_events) {
    INFO(body);
    CHECK(!DecodeEvents(body));
  }
  const char* bad_heartbeats[] = {
      "[]",
      R"({"node":1})",
      R"({"node":-1,"pub":"","router":"","key":"","head":0,"applied":{},"peers":[],"pv":0})",
      R"({"node":1,"pub":"","router":"","key":"","head":0,"applied":{"x":1},"peers":[],"pv":0})",
      R"({"node":1,"pub":"","router":"","key":"","head":0,"applied":{},"peers":[[1]],"pv":0})",
      R"({"node":1,"pub":"","router":"","key":"","head":0,"applied":{},"peers":[],"pv":0,"presence":[]})",
      R"({"node":1,"pub":"","router":"","key":"","head":0,"applied":{},"peers":[],"pv":0,
          "presence":{"lobby":["NOT A USER"]}})",
  };
  for (const char* body : bad_heartbeats) {
    INFO(body);
    CHECK(!DecodeHeartbeat(body));
  }
  CHECK(!DecodeFetch(R"({"origin":1,"after":-5,"limit":10})"));
  CHECK(!DecodeFetch(R"({"origin":1,"after":5})"));
  // A reply that slips in another origin's events is refused whole.
  Message other = Event();
  other.origin = 4;
  CHECK(!DecodeFetchReply(EncodeFetchReply({3, {Event(), other}})));
}

TEST_CASE("control events carry their kind; a chat message stays seven fields", "[mesh_wire]") {
  Message ban = Event();
  ban.kind = "room.ban";
  ban.channel = "#general";
  ban.text = R"({"user":"eve","until":0})";
  std::string wire = EncodeEvents({Event(), ban});
  CHECK(wire.find(R"("room.ban"])") != std::string::npos);
  auto decoded = DecodeEvents(wire);
  REQUIRE(decoded);
  REQUIRE(decoded->size() == 2);
  CHECK((*decoded)[0].kind.empty());
  CHECK((*decoded)[1].kind == "room.ban");
  CHECK((*decoded)[1].channel == "#general");
  CHECK((*decoded)[1].text == ban.text);
}

TEST_CASE("a peer's malformed control event is refused", "[mesh_wire]") {
  auto with = [](const std::string& key, const std::string& args, const std::string& kind) {
    return "[[912576595879788544,\"" + key + "\",\"alice\"," + args + ",1795412015311,3,42,\"" +
           kind + "\"]]";
  };
  CHECK(DecodeEvents(with("#general", R"("{}")", "room.ban")));
  CHECK_FALSE(DecodeEvents(with("general", R"("{}")", "room.ban")));   // a channel, not a key
  CHECK_FALSE(DecodeEvents(with("@general", R"("{}")", "room.ban")));  // the wrong sigil
  CHECK_FALSE(DecodeEvents(with("#general", R"("not json")", "room.ban")));
  CHECK_FALSE(DecodeEvents(with("#general", R"("[]")", "room.ban")));
  CHECK_FALSE(DecodeEvents(with("#general", R"("{}")", "ROOM BAN")));
  // A kind a newer node made: kept, so its stream does not stall here; the store skips the fold.
  CHECK(DecodeEvents(with("#general", R"("{}")", "room.pin")));
}
