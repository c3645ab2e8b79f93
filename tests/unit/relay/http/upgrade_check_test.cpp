// The WebSocket upgrade's header checks (RFC 6455 4.2.1): version 13 and a 16-byte base64 key.
#include "relay/http/upgrade_check.h"

#include <catch2/catch.hpp>

namespace chatctl::relay {
namespace {

constexpr std::string_view kKey = "dGhlIHNhbXBsZSBub25jZQ==";  // RFC 6455's own example

TEST_CASE("version 13 with a 16-byte base64 key may upgrade", "[http][upgrade]") {
  CHECK_FALSE(RefuseUpgrade("13", kKey).has_value());
}

TEST_CASE("another version is 426 and names version 13", "[http][upgrade]") {
  for (std::string_view version : {"99", "8", "", "13 "}) {
    auto refusal = RefuseUpgrade(version, kKey);
    REQUIRE(refusal);
    CHECK(refusal->status == 426);
    REQUIRE(refusal->headers.size() == 1);
    CHECK(refusal->headers[0] ==
          std::pair<std::string, std::string>{"Sec-WebSocket-Version", "13"});
  }
}

TEST_CASE("a missing, short, long or non-base64 key is 400", "[http][upgrade]") {
  for (std::string_view key : {"", "abc", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ===",
                               "dGhlIHNhbXBsZSBub25jZ!==", "dGhlIHNhbXBsZSBub25jZQAB"}) {
    INFO("key: " << key);
    auto refusal = RefuseUpgrade("13", key);
    REQUIRE(refusal);
    CHECK(refusal->status == 400);
  }
}

}  // namespace
}  // namespace chatctl::relay
