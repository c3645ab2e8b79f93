// The request field reader (lib/protocol/field_reader.h) that WebSocket requests and the admin
// HTTP API share: each field kind's accepted values, the words for a wrong one, the first problem
// kept, and JSON null as absent only when asked. Also the message text rule.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "lib/protocol/field_reader.h"

using namespace chatctl;
using namespace chatctl::protocol;
using json = nlohmann::json;

namespace {

// Parsed in full, so escapes and every JSON type reach the reader; the json must outlive the
// FlatObject, hence the holder.
struct Object {
  explicit Object(std::string_view text)
      : parsed(json::parse(text)), flat(FlatObject::Of(parsed)) {}
  json parsed;
  FlatObject flat;
};

}  // namespace

TEST_CASE("a field reader reads strings, booleans, integers and ids of the right type",
          "[field_reader]") {
  Object o(R"({"s":"text","b":true,"i":-5,"u":42,"id":"123"})");
  FieldReader f(o.flat);
  CHECK(f.String("s", true) == "text");
  CHECK(f.Boolean("b") == true);
  CHECK(f.Integer("i", -10, 10) == -5);
  CHECK(f.Integer("u", 0, 100) == 42);
  CHECK(f.Id("id") == MessageId{123});
  CHECK_FALSE(f.failed());
  CHECK(f.status().ok());
}

TEST_CASE("an absent optional field is nullopt without failing, a required one fails",
          "[field_reader]") {
  Object o(R"({})");
  FieldReader f(o.flat);
  CHECK_FALSE(f.has("x"));
  CHECK_FALSE(f.String("x", false));
  CHECK_FALSE(f.Boolean("x"));
  CHECK_FALSE(f.Integer("x", 0, 1));
  CHECK_FALSE(f.Id("x"));
  CHECK_FALSE(f.User("x", false));
  CHECK_FALSE(f.Room("x", false));
  CHECK_FALSE(f.failed());
  CHECK_FALSE(f.String("x", true));
  REQUIRE(f.failed());
  CHECK(f.error().code == "bad_request");
  CHECK(f.error().message == "missing field 'x'");
}

TEST_CASE("a field of the wrong type is a bad request naming the field", "[field_reader]") {
  Object o(R"({"n":1,"s":"x","f":1.5})");
  SECTION("string") {
    FieldReader f(o.flat);
    CHECK_FALSE(f.String("n", false));
    CHECK(f.error().message == "field 'n' must be a string");
  }
  SECTION("boolean") {
    FieldReader f(o.flat);
    CHECK_FALSE(f.Boolean("s"));
    CHECK(f.error().message == "field 's' must be true or false");
  }
  SECTION("integer") {
    FieldReader f(o.flat);
    CHECK_FALSE(f.Integer("f", 0, 9));
    CHECK(f.error().message == "field 'f' must be an integer from 0 to 9");
  }
  SECTION("message id") {
    FieldReader f(o.flat);
    CHECK_FALSE(f.Id("s"));
    CHECK(f.error().message == "field 's' must be a message id (decimal digits)");
  }
}

TEST_CASE("an integer outside its range fails, including one past 64 bits signed",
          "[field_reader]") {
  Object o(R"({"low":0,"high":11,"huge":18446744073709551615,"neg":-1})");
  for (const char* name : {"low", "high", "huge"}) {
    FieldReader f(o.flat);
    INFO(name);
    CHECK_FALSE(f.Integer(name, 1, 10));
    CHECK(f.error().message == std::string("field '") + name + "' must be an integer from 1 to 10");
  }
  FieldReader f(o.flat);
  CHECK(f.Integer("neg", -1, 10) == -1);
  CHECK(f.Integer("low", 0, 0) == 0);
}

TEST_CASE("only the first problem is kept and later reads return nothing", "[field_reader]") {
  Object o(R"({"a":1,"b":"fine","c":true})");
  FieldReader f(o.flat);
  CHECK_FALSE(f.String("a", true));
  CHECK_FALSE(f.String("b", true));  // valid, but the reader has failed
  CHECK_FALSE(f.Boolean("c"));
  f.Fail("too_large", "later");
  f.BadRequest("later still");
  CHECK(f.error().code == "bad_request");
  CHECK(f.error().message == "field 'a' must be a string");
  CHECK_FALSE(f.status().ok());
}

TEST_CASE("Fail keeps the code it is given", "[field_reader]") {
  Object o(R"({})");
  FieldReader f(o.flat);
  f.Fail("too_large", "too big");
  CHECK(f.error().code == "too_large");
  CHECK(f.error().message == "too big");
}

TEST_CASE("a channel is a room name or a well-formed dm channel", "[field_reader]") {
  Object o(R"({"room":"general","dm":"dm:alice:bob","unsorted":"dm:bob:alice","bad":"Gen eral"})");
  FieldReader f(o.flat);
  CHECK(f.Channel("room") == "general");
  CHECK(f.Channel("dm") == "dm:alice:bob");
  CHECK_FALSE(f.failed());
  CHECK_FALSE(f.Channel("unsorted"));
  CHECK(f.error().message == "invalid channel name 'dm:bob:alice'");

  FieldReader missing(o.flat);
  CHECK_FALSE(missing.Channel("nothing"));
  CHECK(missing.error().message == "missing field 'nothing'");
}

TEST_CASE("a user field must hold a valid user name", "[field_reader]") {
  Object o(R"({"to":"alice","bad":"Alice!"})");
  FieldReader f(o.flat);
  CHECK(f.User("to", true) == "alice");
  CHECK_FALSE(f.User("bad", false));
  CHECK(f.error().code == "bad_request");
  CHECK(f.error().message == "invalid user name 'Alice!' in field 'bad'");

  FieldReader missing(o.flat);
  CHECK_FALSE(missing.User("from", true));
  CHECK(missing.error().message == "missing field 'from'");
}

TEST_CASE("a room field must hold a room name, not a dm channel", "[field_reader]") {
  Object o(R"({"channel":"general","dm":"dm:alice:bob"})");
  FieldReader f(o.flat);
  CHECK(f.Room("channel", true) == "general");
  CHECK_FALSE(f.Room("dm", true));
  CHECK(f.error().message == "invalid room name 'dm:alice:bob' in field 'dm'");
}

TEST_CASE("a long name quoted in an error is cut at a code point boundary", "[field_reader]") {
  std::string name = std::string(63, 'a') + "\xC3\xA9" + std::string(10, 'b');  // é across byte 64
  Object o(json{{"to", name}}.dump());
  FieldReader f(o.flat);
  CHECK_FALSE(f.User("to", true));
  CHECK(f.error().message == "invalid user name '" + std::string(63, 'a') + "...' in field 'to'");
  CHECK(QuoteInError("short") == "short");
}

TEST_CASE("JSON null is a wrong type by default and absent when null_is_absent", "[field_reader]") {
  Object o(R"({"s":null,"b":null,"i":null,"id":null,"user":null})");
  SECTION("WebSocket rule: null is a wrong type") {
    FieldReader f(o.flat);
    CHECK(f.has("s"));
    CHECK_FALSE(f.String("s", false));
    REQUIRE(f.failed());
    CHECK(f.error().message == "field 's' must be a string");
    FieldReader b(o.flat);
    CHECK_FALSE(b.Boolean("b"));
    CHECK(b.error().message == "field 'b' must be true or false");
    FieldReader i(o.flat);
    CHECK_FALSE(i.Integer("i", 0, 1));
    CHECK(i.failed());
  }
  SECTION("admin API rule: null is missing") {
    FieldReader f(o.flat, /*null_is_absent=*/true);
    CHECK_FALSE(f.has("s"));
    CHECK_FALSE(f.String("s", false));
    CHECK_FALSE(f.Boolean("b"));
    CHECK_FALSE(f.Integer("i", 0, 1));
    CHECK_FALSE(f.Id("id"));
    CHECK_FALSE(f.User("user", false));
    CHECK_FALSE(f.failed());
    CHECK_FALSE(f.String("s", true));
    REQUIRE(f.failed());
    CHECK(f.error().message == "missing field 's'");
  }
}

TEST_CASE("null_is_absent leaves values that are not null alone", "[field_reader]") {
  Object o(R"({"s":"x","n":5})");
  FieldReader f(o.flat, true);
  CHECK(f.String("s", true) == "x");
  CHECK_FALSE(f.String("n", true));
  CHECK(f.error().message == "field 'n' must be a string");
}

TEST_CASE("a message text has 1 to max_text_chars code points and no NUL", "[field_reader]") {
  Limits limits;
  limits.max_text_chars = 3;
  CHECK(CheckMessageText("abc", limits).ok());
  CHECK(CheckMessageText("\xC3\xA9\xC3\xA9\xC3\xA9", limits).ok());  // 3 code points, 6 bytes

  Status empty = CheckMessageText("", limits);
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code == "bad_request");
  CHECK(empty.error().message == "field 'text' must not be empty");

  Status nul = CheckMessageText(std::string_view("a\0b", 3), limits);
  REQUIRE_FALSE(nul.ok());
  CHECK(nul.error().code == "bad_request");
  CHECK(nul.error().message == "field 'text' must not contain U+0000");

  Status longer = CheckMessageText("abcd", limits);
  REQUIRE_FALSE(longer.ok());
  CHECK(longer.error().code == "too_large");
  CHECK(longer.error().message == "text is longer than 3 characters");
}
