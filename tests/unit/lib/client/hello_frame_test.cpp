// Unit tests of the `hello` a CLI client sends (lib/client/chat_client.h HelloFrame): which of the
// credentials it carries, so that a reconnect after a password login sends the issued token and
// never both a token and a password.
#include <catch2/catch.hpp>

#include "lib/client/chat_client.h"

using chatctl::Credentials;
using chatctl::HelloFrame;
using nlohmann::json;

TEST_CASE("a password hello carries the user name and the password", "[hello]") {
  auto hello = HelloFrame(Credentials{"", "alice", "correct horse", ""});
  REQUIRE(hello);
  CHECK(*hello == json{{"type", "hello"}, {"user", "alice"}, {"password", "correct horse"}});
}

TEST_CASE("a token issued by a password welcome replaces the password", "[hello]") {
  auto hello = HelloFrame(Credentials{"", "alice", "correct horse", "issued.jwt"});
  REQUIRE(hello);
  CHECK(*hello == json{{"type", "hello"}, {"token", "issued.jwt"}});
}

TEST_CASE("a given token wins, and a user name alone is an open-mode hello", "[hello]") {
  CHECK(*HelloFrame(Credentials{"given.jwt", "alice", "", ""}) ==
        json{{"type", "hello"}, {"token", "given.jwt"}});
  CHECK(*HelloFrame(Credentials{"", "alice", "", ""}) ==
        json{{"type", "hello"}, {"user", "alice"}});
}

TEST_CASE("with no token and no user name there is no hello", "[hello]") {
  CHECK_FALSE(HelloFrame(Credentials{}));
  CHECK_FALSE(HelloFrame(Credentials{"", "", "a password", ""}));
}
