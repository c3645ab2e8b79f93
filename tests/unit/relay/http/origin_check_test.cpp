// The WebSocket upgrade's Origin rule (--allowed-origins): who passes and who gets 403.
#include "relay/http/origin_check.h"

#include <catch2/catch.hpp>

namespace chatctl::relay {
namespace {

TEST_CASE("a client that sends no Origin, such as the CLI, passes", "[origin]") {
  CHECK(OriginAllowed("", "127.0.0.1:7447", {}));
}

TEST_CASE("a page of the node's own origin passes, over http or https, in any case", "[origin]") {
  CHECK(OriginAllowed("http://127.0.0.1:7447", "127.0.0.1:7447", {}));
  CHECK(OriginAllowed("https://Chat.Example", "chat.example", {}));
  CHECK(OriginAllowed("http://chat.example/", "CHAT.example", {}));
}

TEST_CASE("a page of another origin is refused unless --allowed-origins names it", "[origin]") {
  CHECK_FALSE(OriginAllowed("http://evil.example", "127.0.0.1:7447", {}));
  CHECK_FALSE(OriginAllowed("http://127.0.0.1:9999", "127.0.0.1:7447", {}));
  CHECK_FALSE(OriginAllowed("null", "127.0.0.1:7447", {}));
  CHECK_FALSE(OriginAllowed("http://127.0.0.1:7447", "", {}));
  std::vector<std::string> allowed = {"https://app.example/", "http://127.0.0.1:9999"};
  CHECK(OriginAllowed("https://APP.example", "127.0.0.1:7447", allowed));
  CHECK(OriginAllowed("http://127.0.0.1:9999", "127.0.0.1:7447", allowed));
  CHECK_FALSE(OriginAllowed("http://app.example", "127.0.0.1:7447", allowed));
}

TEST_CASE("an allowed-origins list holding * lets every origin in", "[origin]") {
  CHECK(OriginAllowed("http://anything.example", "127.0.0.1:7447", {"*"}));
  CHECK(OriginAllowed("null", "127.0.0.1:7447", {"*"}));
}

}  // namespace
}  // namespace chatctl::relay
