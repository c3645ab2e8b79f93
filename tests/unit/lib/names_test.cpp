// Unit tests of names on the wire (lib/names.h): users, rooms and dm channels.
#include <catch2/catch.hpp>

#include <string>

#include "lib/names.h"

using chatctl::DmChannel;
using chatctl::IsDmChannel;
using chatctl::IsValidRoomName;
using chatctl::IsValidUserName;
using chatctl::ParseDmChannel;

TEST_CASE("user names are lower case, start alphanumeric, and hold at most 32 bytes", "[names]") {
  CHECK(IsValidUserName("alice"));
  CHECK(IsValidUserName("0"));
  CHECK(IsValidUserName("a.b-c_d9"));
  CHECK(IsValidUserName(std::string(32, 'a')));
  CHECK_FALSE(IsValidUserName(std::string(33, 'a')));
  CHECK_FALSE(IsValidUserName(""));
  CHECK_FALSE(IsValidUserName("Alice"));
  CHECK_FALSE(IsValidUserName("_alice"));
  CHECK_FALSE(IsValidUserName(".alice"));
  CHECK_FALSE(IsValidUserName("-alice"));
  CHECK_FALSE(IsValidUserName("al ice"));
  CHECK_FALSE(IsValidUserName("al:ice"));
  CHECK_FALSE(IsValidUserName("caf\xC3\xA9"));
  CHECK_FALSE(IsValidUserName(std::string("al\0ice", 6)));
}

TEST_CASE("room names follow the same rules with up to 64 bytes", "[names]") {
  CHECK(IsValidRoomName("general"));
  CHECK(IsValidRoomName("ops.eu-west_1"));
  CHECK(IsValidRoomName(std::string(64, 'r')));
  CHECK_FALSE(IsValidRoomName(std::string(65, 'r')));
  CHECK_FALSE(IsValidRoomName(""));
  CHECK_FALSE(IsValidRoomName("General"));
  CHECK_FALSE(IsValidRoomName("#general"));
  CHECK_FALSE(IsValidRoomName("dm:alice:bob"));
}

TEST_CASE("a dm channel sorts its two users", "[names]") {
  CHECK(DmChannel("bob", "alice") == "dm:alice:bob");
  CHECK(DmChannel("alice", "bob") == "dm:alice:bob");
  CHECK(DmChannel("alice", "alice") == "dm:alice:alice");
}

TEST_CASE("a well-formed dm channel parses into its two users", "[names]") {
  auto users = ParseDmChannel("dm:alice:bob");
  REQUIRE(users);
  CHECK(users->first == "alice");
  CHECK(users->second == "bob");
  auto self = ParseDmChannel("dm:carol:carol");
  REQUIRE(self);
  CHECK(self->first == "carol");
  CHECK(self->second == "carol");
}

TEST_CASE("unsorted or malformed dm channels are refused", "[names]") {
  CHECK_FALSE(ParseDmChannel("dm:bob:alice"));
  CHECK_FALSE(ParseDmChannel("dm:alice"));
  CHECK_FALSE(ParseDmChannel("dm:alice:"));
  CHECK_FALSE(ParseDmChannel("dm::bob"));
  CHECK_FALSE(ParseDmChannel("dm:alice:bob:carol"));
  CHECK_FALSE(ParseDmChannel("dm:Alice:bob"));
  CHECK_FALSE(ParseDmChannel("DM:alice:bob"));
  CHECK_FALSE(ParseDmChannel("general"));
  CHECK_FALSE(ParseDmChannel(""));
}

TEST_CASE("anything starting with dm: counts as a dm channel for access checks", "[names]") {
  CHECK(IsDmChannel("dm:alice:bob"));
  CHECK(IsDmChannel("dm:bob:alice"));  // malformed, but never a public room
  CHECK_FALSE(IsDmChannel("general"));
  CHECK_FALSE(IsDmChannel("dm"));
  CHECK_FALSE(IsDmChannel("dmalice"));
}
