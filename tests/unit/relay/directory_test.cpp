// The gateway's directory: who may log in, whose tokens still count, who may be in a room.
#include "relay/directory.h"

#include <catch2/catch.hpp>

namespace chatctl::relay {
namespace {

control::UserRecord User(const std::string& name) {
  control::UserRecord u;
  u.name = name;
  u.account = true;
  return u;
}

TEST_CASE("a user nobody restricted may log in; deleted, disabled and banned ones may not",
          "[directory]") {
  Directory d;
  CHECK(d.CheckUser("alice", 0).ok());
  auto deleted = User("dora");
  deleted.deleted = true;
  auto disabled = User("dan");
  disabled.disabled = true;
  auto banned = User("bill");
  banned.ban_until = 10'000;
  d.Put(deleted);
  d.Put(disabled);
  d.Put(banned);
  CHECK(d.CheckUser("dora", 0).error().code == "unauthorized");
  CHECK(d.CheckUser("dan", 0).error().code == "forbidden");
  CHECK(d.CheckUser("bill", 9'999).error().code == "forbidden");
  CHECK(d.CheckUser("bill", 10'001).ok());  // the ban ran out
  d.Put(User("dan"));                       // enabled again
  CHECK(d.CheckUser("dan", 0).ok());
  CHECK(d.restricted().count("dan") == 0);
}

TEST_CASE("tokens issued before a user's password changed no longer count", "[directory]") {
  Directory d;
  auto u = User("alice");
  u.tokens_after_ms = 5'000;
  d.Put(u);
  CHECK(d.CheckToken("alice", 4'999).error().code == "unauthorized");
  CHECK(d.CheckToken("alice", 5'000).error().code == "unauthorized");
  CHECK(d.CheckToken("alice", 5'001).ok());
  CHECK(d.CheckToken("bob", 0).ok());
}

TEST_CASE("a private room admits its members, a ban keeps anyone out, an admin passes",
          "[directory]") {
  Directory d;
  CHECK(d.CheckRoom("general", "alice", false, 0).ok());  // untouched public room
  control::RoomRecord room;
  room.name = "ops";
  room.exists = true;
  room.is_private = true;
  room.members["alice"] = control::Role::kOwner;
  room.bans["mallory"] = 0;
  d.Put(room);
  CHECK(d.CheckRoom("ops", "alice", false, 0).ok());
  CHECK(d.CheckRoom("ops", "bob", false, 0).error().code == "forbidden");
  CHECK(d.CheckRoom("ops", "mallory", false, 0).error().code == "forbidden");
  CHECK(d.CheckRoom("ops", "bob", true, 0).ok());
  CHECK(d.RoleIn("ops", "alice") == control::Role::kOwner);
  CHECK(d.RoleIn("ops", "bob") == control::Role::kNone);
}

TEST_CASE("a deleted room's history ends at its floor", "[directory]") {
  Directory d;
  CHECK(d.HistoryFloor("general") == 0);
  control::RoomRecord room;
  room.name = "general";
  room.history_floor = 1234;
  d.Put(room);
  CHECK(d.HistoryFloor("general") == 1234);
}

}  // namespace
}  // namespace chatctl::relay
