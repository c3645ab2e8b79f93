// The fast reader of flat requests must agree with nlohmann wherever it answers, and decline the
// rest: whatever it accepts, nlohmann accepts, with the same members.
#include <catch2/catch.hpp>

#include <random>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "lib/protocol/flat_object.h"

using chatctl::protocol::FlatObject;
using chatctl::protocol::FlatValue;
using nlohmann::json;

namespace {

bool Same(const FlatValue& a, const FlatValue& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case FlatValue::Kind::kString:
      return a.text == b.text;
    case FlatValue::Kind::kUnsigned:
      return a.unsigned_value == b.unsigned_value;
    case FlatValue::Kind::kInteger:
      return a.integer_value == b.integer_value;
    case FlatValue::Kind::kBool:
      return a.bool_value == b.bool_value;
    default:
      return true;
  }
}

// When Scan reads `line`, nlohmann must parse it to an object with the same members.
void CheckAgrees(const std::string& line) {
  INFO(line);
  auto fast = FlatObject::Scan(line);
  if (!fast) return;
  json parsed = json::parse(line, nullptr, /*allow_exceptions=*/false);
  REQUIRE(parsed.is_object());
  FlatObject full = FlatObject::Of(parsed);
  std::set<std::string_view> keys;
  for (const auto& [key, value] : fast->members()) keys.insert(key);
  REQUIRE(keys.size() == parsed.size());
  for (std::string_view key : keys) {
    const FlatValue* a = fast->Find(key);
    const FlatValue* b = full.Find(key);
    REQUIRE(b != nullptr);
    CHECK(Same(*a, *b));
  }
}

}  // namespace

TEST_CASE("flat objects are read as nlohmann reads them", "[protocol]") {
  const char* lines[] = {
      R"({"type":"send","ref":7,"channel":"general","text":"hello"})",
      R"( { "type" : "send" , "ref" : "a-ref" , "text" : "héllo ✓ 😀" } )",
      "{\"type\":\"send\",\t\"text\":\"tab\"}\r",
      R"({})",
      R"({"ref":-42,"n":0,"m":-0,"big":999999999999999999,"t":true,"f":false,"z":null})",
      R"({"type":"send","type":"join"})",  // the last of equal keys
      R"({"text":"a\u0000b"})",
  };
  for (const char* line : lines) CheckAgrees(line);

  auto send = FlatObject::Scan(R"({"type":"send","ref":7,"channel":"general","text":"hello"})");
  REQUIRE(send);
  CHECK(send->Find("type")->text == "send");
  CHECK(send->Find("ref")->unsigned_value == 7);
  CHECK(send->Find("text")->text == "hello");
  CHECK(send->Find("to") == nullptr);
  auto twice = FlatObject::Scan(R"({"type":"send","type":"join"})");
  REQUIRE(twice);
  CHECK(twice->Find("type")->text == "join");
  CHECK(FlatObject::Scan(R"({"ref":-42})")->Find("ref")->integer_value == -42);
}

TEST_CASE("flat objects decline what they do not read exactly", "[protocol]") {
  const char* declined[] = {
      R"({"text":"a\"b"})",            // an escape
      R"({"text":"a\u00e9"})",         // an escape
      "{\"text\":\"a\nb\"}",           // a raw control character (not JSON)
      R"({"n":1.5})",                  // a fraction
      R"({"n":1e3})",                  // an exponent
      R"({"n":01})",                   // a leading zero (not JSON)
      R"({"n":1234567890123456789})",  // 19 digits: could overflow
      R"({"n":-})",                    // not a number
      R"({"a":[1,2]})",                // nesting
      R"({"a":{"b":1}})",              // nesting
      R"({"a":1,})",                   // a trailing comma (not JSON)
      R"({"a":1} x)",                  // trailing bytes
      R"({"a":1)",                     // cut short
      R"({"a":tru})",                  // not a literal
      R"(["send"])",                   // not an object
      "",                              // nothing
      "\xEF\xBB\xBF{\"a\":1}",         // a byte-order mark (nlohmann skips it)
      "{\"text\":\"\xC0\xAF\"}",       // an overlong encoding (invalid UTF-8)
  };
  for (const char* line : declined) {
    INFO(line);
    CHECK_FALSE(FlatObject::Scan(line));
  }
}

TEST_CASE("flat objects agree with nlohmann on mutated requests", "[protocol]") {
  // Every accepted mutation of a few real requests must parse the same in full. 20,000 tries,
  // seeded: the same inputs every run.
  const std::string seeds[] = {
      R"({"type":"send","ref":12,"channel":"general","text":"hello there"})",
      R"({"type":"join","ref":"j1","channel":"dm:alice:bob","last":50})",
      R"({"type":"create","ref":3,"channel":"ops","private":true,"topic":"x"})",
  };
  const std::string alphabet = "{}[]:,\"\\ -0123456789.eEtrufalsn\t\x80\xC3\xA9";
  std::mt19937 random(20261123);
  for (int i = 0; i < 20000; ++i) {
    std::string line = seeds[random() % 3];
    int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = random() % (line.size() + 1);
      char c = alphabet[random() % alphabet.size()];
      switch (random() % 3) {
        case 0:
          line.insert(line.begin() + static_cast<std::ptrdiff_t>(at), c);
          break;
        case 1:
          if (at < line.size()) line.erase(at, 1);
          break;
        default:
          if (at < line.size()) line[at] = c;
      }
    }
    CheckAgrees(line);
  }
}
