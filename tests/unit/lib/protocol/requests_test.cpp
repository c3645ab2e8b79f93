// Unit tests of request parsing (lib/protocol/requests.h) against docs/protocol.md: every
// malformed request becomes an Invalid carrying the ref it could, with the words the docs promise.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "lib/protocol/requests.h"

using namespace chatctl;
using namespace chatctl::protocol;
using json = nlohmann::json;

namespace {

std::vector<Parsed> Parse(std::string_view frame, const Limits& limits = Limits{}) {
  return ParseFrame(frame, limits);
}

Invalid ExpectInvalid(std::string_view line, std::string_view message_contains,
                      std::string_view code = "bad_request", const Limits& limits = Limits{}) {
  auto parsed = Parse(line, limits);
  REQUIRE(parsed.size() == 1);
  INFO("line: " << line);
  REQUIRE(std::holds_alternative<Invalid>(parsed[0]));
  Invalid invalid = std::get<Invalid>(parsed[0]);
  CHECK(invalid.code == code);
  CHECK_THAT(invalid.message, Catch::Contains(std::string(message_contains)));
  return invalid;
}

template <class T>
T ExpectRequest(std::string_view line, const Limits& limits = Limits{}) {
  auto parsed = Parse(line, limits);
  REQUIRE(parsed.size() == 1);
  INFO("line: " << line);
  if (auto* invalid = std::get_if<Invalid>(&parsed[0])) FAIL(invalid->message);
  const Request& request = std::get<Request>(parsed[0]);
  REQUIRE(std::holds_alternative<T>(request.body));
  return std::get<T>(request.body);
}

Ref RefOf(std::string_view line) {
  auto parsed = Parse(line);
  REQUIRE(parsed.size() == 1);
  if (auto* invalid = std::get_if<Invalid>(&parsed[0])) return invalid->ref;
  return std::get<Request>(parsed[0]).ref;
}

}  // namespace

TEST_CASE("malformed JSON is a bad_request without a ref", "[protocol]") {
  Invalid invalid = ExpectInvalid(R"({"type":"ping","ref":1)", "malformed JSON: ");
  CHECK(invalid.ref.is_null());
  CHECK_THAT(invalid.message, !Catch::Contains("json.exception"));
  ExpectInvalid("{type:ping}", "malformed JSON");
  ExpectInvalid(" ", "malformed JSON");
  ExpectInvalid("{\"type\":\"send\",\"text\":\"\xC3\"}", "malformed JSON");  // not UTF-8
}

TEST_CASE("a raw NUL byte after a valid request makes the line a bad_request", "[protocol]") {
  using namespace std::string_literals;
  ExpectInvalid(R"({"type":"send","channel":"general","text":"hi"})"s + '\0' + "garbage",
                "a raw NUL byte at byte 48");
  ExpectInvalid("\0"s, "a raw NUL byte at byte 1");
}

TEST_CASE("JSON that is not an object is a bad_request", "[protocol]") {
  for (const char* line : {"[1,2]", "\"ping\"", "42", "null", "true"}) {
    Invalid invalid = ExpectInvalid(line, "JSON object");
    CHECK(invalid.ref.is_null());
  }
}

TEST_CASE("deeply nested JSON is refused without a crash", "[protocol]") {
  std::string deep =
      R"({"type":"ping","x":)" + std::string(30000, '[') + std::string(30000, ']') + "}";
  auto parsed = Parse(deep);
  REQUIRE(parsed.size() == 1);
  CHECK(std::holds_alternative<Request>(parsed[0]));  // unknown fields are ignored
}

TEST_CASE("a string or integer ref is echoed into the request", "[protocol]") {
  CHECK(RefOf(R"({"type":"ping","ref":"abc"})") == json("abc"));
  CHECK(RefOf(R"({"type":"ping","ref":7})") == json(7));
  CHECK(RefOf(R"({"type":"ping","ref":-7})") == json(-7));
  CHECK(RefOf(R"({"type":"ping","ref":9007199254740992})") == json(9007199254740992ll));
  CHECK(RefOf(R"({"type":"ping","ref":-9007199254740992})") == json(-9007199254740992ll));
  CHECK(RefOf(R"({"type":"ping"})").is_null());
}

TEST_CASE("a ref that is too large or of another kind is a bad_request without a ref",
          "[protocol]") {
  for (const char* line :
       {R"({"type":"ping","ref":9007199254740993})", R"({"type":"ping","ref":-9007199254740993})",
        R"({"type":"ping","ref":18446744073709551615})", R"({"type":"ping","ref":1e30})",
        R"({"type":"ping","ref":1.5})", R"({"type":"ping","ref":true})",
        R"({"type":"ping","ref":null})", R"({"type":"ping","ref":[1]})",
        R"({"type":"ping","ref":{"a":1}})"}) {
    Invalid invalid = ExpectInvalid(line, "'ref'");
    CHECK(invalid.ref.is_null());
  }
}

TEST_CASE("errors in a request carry its ref", "[protocol]") {
  CHECK(ExpectInvalid(R"({"ref":"r1","type":"nope"})", "unknown type 'nope'").ref == json("r1"));
  CHECK(ExpectInvalid(R"({"ref":3,"type":"join"})", "missing field 'channel'").ref == json(3));
  Limits small;
  small.max_text_chars = 3;
  CHECK(ExpectInvalid(R"({"ref":4,"type":"send","channel":"a","text":"abcd"})", "longer",
                      "too_large", small)
            .ref == json(4));
}

TEST_CASE("type must be a known string", "[protocol]") {
  ExpectInvalid(R"({"ref":1})", "missing field 'type'");
  ExpectInvalid(R"({"type":1})", "field 'type' must be a string");
  ExpectInvalid(R"({"type":null})", "field 'type' must be a string");
  ExpectInvalid(R"({"type":"PING"})", "unknown type 'PING'");
  Invalid long_type = ExpectInvalid(R"({"type":")" + std::string(1000, 'x') + "\"}", "unknown");
  CHECK(long_type.message.size() < 200);
}

TEST_CASE("hello takes a token, or a user with an optional password", "[protocol]") {
  Hello token = ExpectRequest<Hello>(R"({"type":"hello","token":"a.b.c"})");
  CHECK(token.token == "a.b.c");
  CHECK_FALSE(token.user);
  Hello password = ExpectRequest<Hello>(R"({"type":"hello","user":"alice","password":"pw"})");
  CHECK(password.user == "alice");
  CHECK(password.password == "pw");
  Hello open = ExpectRequest<Hello>(R"({"type":"hello","user":"Not Valid"})");
  CHECK(open.user == "Not Valid");  // refusing a user name is the gateway's (a 4401 close)
}

TEST_CASE("a hello without credentials or with mistyped ones is a bad_request", "[protocol]") {
  ExpectInvalid(R"({"type":"hello"})", "'token' or 'user'");
  ExpectInvalid(R"({"type":"hello","token":5})", "field 'token' must be a string");
  ExpectInvalid(R"({"type":"hello","user":["alice"]})", "field 'user' must be a string");
  ExpectInvalid(R"({"type":"hello","user":"alice","password":1})", "field 'password'");
  ExpectInvalid(R"({"type":"hello","password":"pw"})", "'token' or 'user'");
  ExpectInvalid(R"({"type":"hello","token":"t","password":"pw"})", "'password' needs 'user'");
}

TEST_CASE("join takes a room or dm channel and last or since", "[protocol]") {
  Join live = ExpectRequest<Join>(R"({"type":"join","channel":"general"})");
  CHECK(live.channel == "general");
  CHECK_FALSE(live.last);
  CHECK_FALSE(live.since);
  CHECK(ExpectRequest<Join>(R"({"type":"join","channel":"dm:alice:bob"})").channel ==
        "dm:alice:bob");
  CHECK(ExpectRequest<Join>(R"({"type":"join","channel":"g","last":20})").last == 20);
  CHECK(ExpectRequest<Join>(R"({"type":"join","channel":"g","last":0})").last == 0);
  CHECK(ExpectRequest<Join>(R"({"type":"join","channel":"g","last":1000})").last == 1000);
  CHECK(ExpectRequest<Join>(R"({"type":"join","channel":"g","since":"123"})").since ==
        MessageId{123});
}

TEST_CASE("a join with a bad channel, last or since is a bad_request", "[protocol]") {
  ExpectInvalid(R"({"type":"join"})", "missing field 'channel'");
  ExpectInvalid(R"({"type":"join","channel":7})", "field 'channel' must be a string");
  ExpectInvalid(R"({"type":"join","channel":"General"})", "invalid channel name 'General'");
  ExpectInvalid(R"({"type":"join","channel":""})", "invalid channel name");
  ExpectInvalid(R"({"type":"join","channel":"dm:bob:alice"})", "invalid channel name");
  ExpectInvalid(R"({"type":"join","channel":"g","last":-1})", "field 'last'");
  ExpectInvalid(R"({"type":"join","channel":"g","last":1001})", "field 'last'");
  ExpectInvalid(R"({"type":"join","channel":"g","last":2.5})", "field 'last'");
  ExpectInvalid(R"({"type":"join","channel":"g","last":"20"})", "field 'last'");
  ExpectInvalid(R"({"type":"join","channel":"g","since":"12a"})", "field 'since'");
  ExpectInvalid(R"({"type":"join","channel":"g","since":"-1"})", "field 'since'");
  ExpectInvalid(R"({"type":"join","channel":"g","since":123})", "field 'since' must be a string");
  ExpectInvalid(R"({"type":"join","channel":"g","last":5,"since":"1"})", "give one of");
  Limits small;
  small.since_replay_max = 10;
  ExpectInvalid(R"({"type":"join","channel":"g","last":11})", "from 0 to 10", "bad_request", small);
  CHECK(ExpectRequest<Join>(R"({"type":"join","channel":"g","last":10})", small).last == 10);
}

TEST_CASE("join takes a resume cursor instead of last or since", "[protocol]") {
  Join resumed = ExpectRequest<Join>(R"({"type":"join","channel":"g","cursor":"1.5,3.9"})");
  REQUIRE(resumed.cursor);
  CHECK(*resumed.cursor == ResumeCursor{{1, 5}, {3, 9}});
  CHECK_FALSE(resumed.since);
  CHECK_FALSE(resumed.last);
  Join from_start = ExpectRequest<Join>(R"({"type":"join","channel":"g","cursor":""})");
  REQUIRE(from_start.cursor);
  CHECK(from_start.cursor->empty());
}

TEST_CASE("a join with a malformed cursor, or a cursor beside last or since, is a bad_request",
          "[protocol]") {
  ExpectInvalid(R"({"type":"join","channel":"g","cursor":"1.5,"})", "bad cursor");
  ExpectInvalid(R"({"type":"join","channel":"g","cursor":"2000.1"})", "bad cursor");
  ExpectInvalid(R"({"type":"join","channel":"g","cursor":"3.1,1.1"})", "bad cursor");
  ExpectInvalid(R"({"type":"join","channel":"g","cursor":"1.99999999999999999999"})", "bad cursor");
  ExpectInvalid(R"({"type":"join","channel":"g","cursor":15})", "field 'cursor' must be a string");
  ExpectInvalid(R"({"type":"join","channel":"g","cursor":"1.1","since":"5"})", "give one of");
  ExpectInvalid(R"({"type":"join","channel":"g","cursor":"1.1","last":5})", "give one of");
}

TEST_CASE("leave and presence take a valid channel", "[protocol]") {
  CHECK(ExpectRequest<Leave>(R"({"type":"leave","channel":"general"})").channel == "general");
  CHECK(ExpectRequest<PresenceQuery>(R"({"type":"presence","channel":"dm:a:b"})").channel ==
        "dm:a:b");
  ExpectInvalid(R"({"type":"leave"})", "missing field 'channel'");
  ExpectInvalid(R"({"type":"leave","channel":"no spaces"})", "invalid channel name");
  ExpectInvalid(R"({"type":"presence","channel":false})", "field 'channel' must be a string");
}

TEST_CASE("send goes to a channel or to a user", "[protocol]") {
  Send room = ExpectRequest<Send>(R"({"type":"send","channel":"general","text":"hello"})");
  CHECK(room.channel == "general");
  CHECK_FALSE(room.to);
  CHECK(room.text == "hello");
  Send dm = ExpectRequest<Send>(R"({"type":"send","to":"bob","text":"psst"})");
  CHECK(dm.channel.empty());
  CHECK(dm.to == "bob");
  CHECK(dm.text == "psst");
}

TEST_CASE("a send without exactly one valid destination is a bad_request", "[protocol]") {
  ExpectInvalid(R"({"type":"send","text":"x"})", "missing field 'channel' (or 'to')");
  ExpectInvalid(R"({"type":"send","channel":"g","to":"bob","text":"x"})", "not both");
  ExpectInvalid(R"({"type":"send","to":"Bob","text":"x"})", "invalid user name 'Bob'");
  ExpectInvalid(R"({"type":"send","to":1,"text":"x"})", "field 'to' must be a string");
  ExpectInvalid(R"({"type":"send","channel":"#g","text":"x"})", "invalid channel name");
}

TEST_CASE("send text must be a non-empty string without NUL", "[protocol]") {
  ExpectInvalid(R"({"type":"send","channel":"g"})", "missing field 'text'");
  ExpectInvalid(R"({"type":"send","channel":"g","text":5})", "field 'text' must be a string");
  ExpectInvalid(R"({"type":"send","channel":"g","text":""})", "must not be empty");
  ExpectInvalid(R"({"type":"send","channel":"g","text":"a\u0000b"})", "U+0000");
}

TEST_CASE("send text is limited in code points, and too long is too_large", "[protocol]") {
  Limits small;
  small.max_text_chars = 3;
  // Three code points of up to four bytes each fit; a fourth does not.
  Send fits = ExpectRequest<Send>(
      "{\"type\":\"send\",\"channel\":\"g\",\"text\":\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"}",
      small);
  CHECK(fits.text.size() == 9);
  ExpectInvalid(R"({"type":"send","channel":"g","text":"abcd"})", "longer than 3", "too_large",
                small);
  std::string at_default(4096, 'x');
  CHECK(ExpectRequest<Send>(R"({"type":"send","channel":"g","text":")" + at_default + "\"}")
            .text.size() == 4096);
  ExpectInvalid(R"({"type":"send","channel":"g","text":")" + at_default + "y\"}", "4096",
                "too_large");
}

TEST_CASE("history defaults to 50 and takes before and limit", "[protocol]") {
  History newest = ExpectRequest<History>(R"({"type":"history","channel":"g"})");
  CHECK(newest.channel == "g");
  CHECK(newest.limit == 50);
  CHECK_FALSE(newest.before);
  History page =
      ExpectRequest<History>(R"({"type":"history","channel":"g","before":"99","limit":500})");
  CHECK(page.before == MessageId{99});
  CHECK(page.limit == 500);
  CHECK(ExpectRequest<History>(R"({"type":"history","channel":"g","limit":1})").limit == 1);
}

TEST_CASE("history with a bad before or a limit out of range is a bad_request", "[protocol]") {
  ExpectInvalid(R"({"type":"history","channel":"g","limit":0})", "field 'limit'");
  ExpectInvalid(R"({"type":"history","channel":"g","limit":501})", "from 1 to 500");
  ExpectInvalid(R"({"type":"history","channel":"g","limit":"5"})", "field 'limit'");
  ExpectInvalid(R"({"type":"history","channel":"g","before":""})", "field 'before'");
  ExpectInvalid(R"({"type":"history","channel":"g","before":5})", "field 'before'");
  ExpectInvalid(R"({"type":"history"})", "missing field 'channel'");
}

TEST_CASE("ping needs nothing and extra fields are ignored", "[protocol]") {
  auto parsed = Parse(R"({"type":"ping","ref":7,"future":{"x":1}})");
  REQUIRE(parsed.size() == 1);
  REQUIRE(std::holds_alternative<Request>(parsed[0]));
  CHECK(std::holds_alternative<Ping>(std::get<Request>(parsed[0]).body));
  CHECK(std::get<Request>(parsed[0]).ref == json(7));
}

TEST_CASE("a frame of several lines parses each in order", "[protocol]") {
  std::string frame =
      "{\"type\":\"ping\",\"ref\":1}\n"
      "\n"
      "{\"type\":\"nope\",\"ref\":2}\r\n"
      "\r\n"
      "not json\n"
      "{\"type\":\"leave\",\"channel\":\"g\",\"ref\":\"x\"}";
  auto parsed = Parse(frame);
  REQUIRE(parsed.size() == 4);
  REQUIRE(std::holds_alternative<Request>(parsed[0]));
  CHECK(std::get<Request>(parsed[0]).ref == json(1));
  REQUIRE(std::holds_alternative<Invalid>(parsed[1]));
  CHECK(std::get<Invalid>(parsed[1]).ref == json(2));
  REQUIRE(std::holds_alternative<Invalid>(parsed[2]));
  CHECK_THAT(std::get<Invalid>(parsed[2]).message, Catch::StartsWith("malformed JSON"));
  REQUIRE(std::holds_alternative<Request>(parsed[3]));
  CHECK(std::get<Leave>(std::get<Request>(parsed[3]).body).channel == "g");
  CHECK(Parse("").empty());
  CHECK(Parse("\n\r\n\n").empty());
  CHECK(Parse("{\"type\":\"ping\"}\n").size() == 1);
}

TEST_CASE("room and moderation requests parse with their fields", "[protocol]") {
  auto create =
      ExpectRequest<RoomOp>(R"({"type":"create","channel":"staff","private":true,"topic":"ops"})");
  CHECK(create.op == "create");
  CHECK(create.is_private);
  CHECK(create.topic == "ops");
  auto invite = ExpectRequest<RoomOp>(R"({"type":"invite","channel":"staff","user":"bob"})");
  CHECK(invite.user == "bob");
  CHECK_FALSE(invite.role);
  auto ban = ExpectRequest<RoomOp>(R"({"type":"ban","user":"eve","seconds":60})");
  CHECK(ban.channel.empty());  // cluster-wide
  CHECK(ban.seconds == 60);
  ExpectInvalid(R"({"type":"invite","channel":"staff","user":"bob","role":"none"})",
                "must be member, admin or owner");
  ExpectInvalid(R"({"type":"invite","channel":"dm:a:b","user":"bob"})", "invalid room name");
  ExpectInvalid(R"({"type":"kick","channel":"staff"})", "missing field 'user'");
  ExpectInvalid(R"({"type":"create","channel":"staff","private":"yes"})", "true or false");
  ExpectInvalid(R"({"type":"ban","user":"eve","seconds":0})", "must be an integer");
  ExpectInvalid(R"({"type":"topic","channel":"staff"})", "missing field 'topic'");
}

TEST_CASE("message changes and sign-up parse, and refuse what they must", "[protocol]") {
  auto edit =
      ExpectRequest<MessageOp>(R"({"type":"edit","channel":"general","id":"123","text":"fixed"})");
  CHECK(edit.id == 123);
  CHECK(edit.text == "fixed");
  auto react =
      ExpectRequest<MessageOp>(R"({"type":"react","channel":"general","id":"5","emoji":"👍"})");
  CHECK(react.emoji == "👍");
  ExpectInvalid(R"({"type":"edit","channel":"general","id":"1","text":""})", "must not be empty");
  ExpectInvalid(R"({"type":"delete","channel":"general"})", "missing field 'id'");
  ExpectInvalid(R"({"type":"react","channel":"general","id":"5","emoji":"a b"})", "emoji");
  Limits small;
  small.max_text_chars = 3;
  ExpectInvalid(R"({"type":"edit","channel":"g","id":"1","text":"long"})", "longer", "too_large",
                small);
  auto reg = ExpectRequest<Register>(R"({"type":"register","user":"carol","password":"pw"})");
  CHECK(reg.user == "carol");
  ExpectInvalid(R"({"type":"register","user":"Carol","password":"pw"})", "invalid user name");
}
