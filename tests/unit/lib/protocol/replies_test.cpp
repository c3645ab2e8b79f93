// Unit tests of what nodes send (lib/protocol/replies.h): every reply and event is the exact JSON
// docs/protocol.md promises, escaped as nlohmann would escape it.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

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
  m.origin = 3;
  m.seq = 42;
  return m;
}

}  // namespace

TEST_CASE("replies are the exact compact JSON of the protocol", "[protocol]") {
  Message m = Sample();
  CHECK(
      Welcome("alice", "n1", 1732280000123) ==
      R"({"type":"welcome","user":"alice","node":"n1","protocol":1,"server_time":1732280000123})");
  CHECK(
      Welcome("alice", "n1", 5, std::string("t.o.k")) ==
      R"({"type":"welcome","user":"alice","node":"n1","protocol":1,"server_time":5,"token":"t.o.k"})");
  CHECK(
      MessageJson(m) ==
      R"({"type":"msg","id":"7262352354123776001","channel":"general","from":"alice","text":"hello","ts":1732280000123,"origin":3,"seq":42})");
  CHECK(
      Ack(json(3), m) ==
      R"({"type":"ack","ref":3,"id":"7262352354123776001","channel":"general","ts":1732280000123})");
  CHECK(Ack(nullptr, m) ==
        R"({"type":"ack","id":"7262352354123776001","channel":"general","ts":1732280000123})");
  CHECK(Joined(json(1), "general", {}, false) ==
        R"({"type":"joined","ref":1,"channel":"general","messages":[]})");
  CHECK(
      Joined(json("j"), "general", {m}, true) ==
      R"({"type":"joined","ref":"j","channel":"general","messages":[{"type":"msg","id":"7262352354123776001","channel":"general","from":"alice","text":"hello","ts":1732280000123,"origin":3,"seq":42}],"truncated":true})");
  CHECK(Joined(json(1), "general", {}, false, ResumeCursor{{1, 7}, {3, 42}}) ==
        R"({"type":"joined","ref":1,"channel":"general","messages":[],"cursor":"1.7,3.42"})");
  CHECK(Joined(json(1), "general", {}, false, ResumeCursor{}) ==
        R"({"type":"joined","ref":1,"channel":"general","messages":[],"cursor":""})");
  CHECK(Left(json(2), "general") == R"({"type":"left","ref":2,"channel":"general"})");
  CHECK(
      HistoryReply(json(5), "general", {m}, true) ==
      R"({"type":"history","ref":5,"channel":"general","messages":[{"type":"msg","id":"7262352354123776001","channel":"general","from":"alice","text":"hello","ts":1732280000123,"origin":3,"seq":42}],"more":true})");
  CHECK(HistoryReply(nullptr, "g", {}, false) ==
        R"({"type":"history","channel":"g","messages":[],"more":false})");
  CHECK(PresenceList(json(6), "general", {"alice", "bob"}) ==
        R"({"type":"presence","ref":6,"channel":"general","users":["alice","bob"]})");
  CHECK(PresenceList(nullptr, "general", {}) ==
        R"({"type":"presence","channel":"general","users":[]})");
  CHECK(PresenceEvent("general", "bob", true) ==
        R"({"type":"presence","channel":"general","user":"bob","state":"join"})");
  CHECK(PresenceEvent("general", "bob", false) ==
        R"({"type":"presence","channel":"general","user":"bob","state":"leave"})");
  CHECK(Pong(json(7)) == R"({"type":"pong","ref":7})");
  CHECK(Pong(nullptr) == R"({"type":"pong"})");
  CHECK(
      ErrorReply(json(3), "forbidden", "not a member of channel 'staff'") ==
      R"({"type":"error","ref":3,"code":"forbidden","message":"not a member of channel 'staff'"})");
}

TEST_CASE("replies echo large and negative refs exactly", "[protocol]") {
  CHECK(Pong(json(9007199254740992ull)) == R"({"type":"pong","ref":9007199254740992})");
  CHECK(Pong(json(-9007199254740992ll)) == R"({"type":"pong","ref":-9007199254740992})");
  CHECK(Pong(json("a\"b")) == R"({"type":"pong","ref":"a\"b"})");
}

TEST_CASE("replies escape text and survive invalid UTF-8", "[protocol]") {
  Message m = Sample();
  m.text = "line\nbreak \"quoted\" caf\xC3\xA9";
  std::string out = MessageJson(m);
  CHECK(out.find('\n') == std::string::npos);
  CHECK_THAT(out, Catch::Contains(R"("text":"line\nbreak \"quoted\" café")"));
  std::string bad = ErrorReply(nullptr, "internal", "broken \xC3 byte");
  CHECK_THAT(bad, Catch::StartsWith(R"({"type":"error","code":"internal","message":"broken )"));
}

TEST_CASE("a msg shows its edit, deletion and reactions from the store", "[protocol]") {
  Message m = Sample();
  auto state = std::make_shared<control::MessageState>();
  state->text = "edited";
  state->edited_ts = 99;
  state->reactions["+1"] = {"bob", "carol"};
  m.state = state;
  CHECK(
      MessageJson(m) ==
      R"({"type":"msg","id":"7262352354123776001","channel":"general","from":"alice",)"
      R"("text":"edited","ts":1732280000123,"origin":3,"seq":42,"edited_ts":99,"reactions":{"+1":["bob","carol"]}})");
  state->deleted = true;
  state->reactions.clear();
  CHECK(MessageJson(m) ==
        R"({"type":"msg","id":"7262352354123776001","channel":"general","from":"alice",)"
        R"("text":"","ts":1732280000123,"origin":3,"seq":42,"deleted":true})");
}

TEST_CASE("message text is escaped byte for byte as nlohmann escapes it", "[protocol]") {
  std::vector<std::string> texts = {
      "plain",     "",         "quote \" and backslash \\", "tab\tnewline\n",
      "héllo ✓ 😀", "del \x7f", "bad \xC0\xAF utf-8",        "cut \xE2\x9C",
      "lone \x80"};
  for (int c = 0; c < 0x80; ++c) texts.push_back(std::string("a") + static_cast<char>(c) + "b");
  for (const auto& text : texts) {
    INFO(text);
    std::string ours;
    chatctl::protocol::detail::AppendJsonString(ours, text);
    CHECK(ours == json(text).dump(-1, ' ', false, json::error_handler_t::replace));
  }
}

namespace {

control::RoomRecord Staff() {
  control::RoomRecord room;
  room.name = "staff";
  room.exists = true;
  room.is_private = true;
  room.topic = "ops";
  room.owner = "alice";
  room.members = {{"alice", control::Role::kOwner}, {"bob", control::Role::kMember}};
  return room;
}

control::MessageState Changed() {
  control::MessageState state;
  state.id = 5;
  state.channel = "general";
  state.text = "fixed";
  state.edited_ts = 9;
  state.reactions["+1"] = {"carol", "bob"};
  return state;
}

}  // namespace

TEST_CASE("room replies and events are the exact compact JSON of the protocol", "[protocol]") {
  control::RoomRecord staff = Staff();
  CHECK(RoomReply(json(4), "staff", &staff, "bob") ==
        R"({"type":"room","ref":4,"channel":"staff","kind":"private","topic":"ops",)"
        R"("owner":"alice","role":"member","members":[{"role":"owner","user":"alice"},)"
        R"({"role":"member","user":"bob"}]})");
  CHECK(RoomReply(nullptr, "lobby", nullptr, "bob") ==
        R"({"type":"room","channel":"lobby","kind":"public","topic":"","owner":"","role":"none",)"
        R"("members":[]})");
  CHECK(OkReply(json("r"), {{"id", "5"}, {"channel", "general"}}) ==
        R"({"type":"ok","ref":"r","channel":"general","id":"5"})");
  CHECK(TopicEvent("staff", "ops", "alice") ==
        R"({"type":"topic","channel":"staff","topic":"ops","by":"alice"})");
  CHECK(MemberEvent("staff", "bob", control::Role::kAdmin, "alice") ==
        R"({"type":"member","channel":"staff","user":"bob","role":"admin","by":"alice"})");
  CHECK(LeftBecause("staff", "removed") ==
        R"({"type":"left","channel":"staff","reason":"removed"})");
}

TEST_CASE("message change events carry the message's new state", "[protocol]") {
  control::MessageState state = Changed();
  CHECK(EditEvent(state, "bob") ==
        R"({"type":"edit","channel":"general","id":"5","text":"fixed","edited_ts":9,"by":"bob"})");
  CHECK(DeleteEvent(state, "bob") ==
        R"({"type":"delete","channel":"general","id":"5","by":"bob"})");
  CHECK(ReactionEvent(state, "+1", "carol", true) ==
        R"({"type":"reaction","channel":"general","id":"5","emoji":"+1","user":"carol","on":true,)"
        R"("reactions":{"+1":["bob","carol"]}})");
}

TEST_CASE("the admin API's room and message objects match what sessions are sent", "[protocol]") {
  control::RoomRecord staff = Staff();
  CHECK(RoomObject("staff", &staff) ==
        json::parse(
            R"({"name":"staff","kind":"private","topic":"ops","owner":"alice",)"
            R"("members":[{"user":"alice","role":"owner"},{"user":"bob","role":"member"}]})"));
  CHECK(RoomObject("lobby", nullptr) ==
        json::parse(R"({"name":"lobby","kind":"public","topic":"","owner":"","members":[]})"));
  CHECK(MessageObjectJson(Sample()) == json::parse(MessageJson(Sample())));
}
