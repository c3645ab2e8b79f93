// Unit tests of reading a node's replies back (lib/protocol/client.h): a msg round-trips, and
// anything malformed is skipped rather than thrown.
#include <catch2/catch.hpp>

#include "lib/protocol/client.h"
#include "lib/protocol/replies.h"

using namespace chatctl;
using namespace chatctl::protocol;
using json = nlohmann::json;

namespace {

Message Sample() {
  Message m;
  m.id = 7262352354123776001ull;
  m.channel = "general";
  m.from = "alice";
  m.text = "hello";
  m.ts = 1732280000123;
  m.origin = 80;
  m.seq = 12345;
  return m;
}

}  // namespace

TEST_CASE("a msg object parses back into the message", "[protocol]") {
  Message m = Sample();
  auto back = MessageFromJson(json::parse(MessageJson(m)));
  REQUIRE(back);
  CHECK(back->id == m.id);
  CHECK(back->channel == m.channel);
  CHECK(back->from == m.from);
  CHECK(back->text == m.text);
  CHECK(back->ts == m.ts);
  CHECK(back->origin == m.origin);
  CHECK(back->seq == m.seq);
}

TEST_CASE("a msg without origin and seq takes the id's node and an unknown seq", "[protocol]") {
  Message m = Sample();
  json j = json::parse(MessageJson(m));
  j.erase("origin");
  j.erase("seq");
  auto back = MessageFromJson(j);
  REQUIRE(back);
  CHECK(back->origin == IdNode(m.id));
  CHECK(back->seq == 0);
  j["origin"] = 5000;  // not a node id: ignored
  j["seq"] = 3;
  back = MessageFromJson(j);
  REQUIRE(back);
  CHECK(back->origin == IdNode(m.id));
  CHECK(back->seq == 0);
}

TEST_CASE("a malformed msg object parses into nothing", "[protocol]") {
  json good = json::parse(MessageJson(Sample()));
  CHECK_FALSE(MessageFromJson(json::array()));
  CHECK_FALSE(MessageFromJson(json("msg")));
  for (const char* field : {"type", "id", "channel", "from", "text", "ts"}) {
    json missing = good;
    missing.erase(field);
    CHECK_FALSE(MessageFromJson(missing));
  }
  json numeric_id = good;
  numeric_id["id"] = 7262352354123776001ull;
  CHECK_FALSE(MessageFromJson(numeric_id));
  json bad_id = good;
  bad_id["id"] = "72x";
  CHECK_FALSE(MessageFromJson(bad_id));
  json other_type = good;
  other_type["type"] = "ack";
  CHECK_FALSE(MessageFromJson(other_type));
  json float_ts = good;
  float_ts["ts"] = 1.5;
  CHECK_FALSE(MessageFromJson(float_ts));
  json null_text = good;
  null_text["text"] = nullptr;
  CHECK_FALSE(MessageFromJson(null_text));
}
