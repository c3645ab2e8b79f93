// The rules both transports share: what each moderation, room and account request commits.
#include "relay/control_rules.h"

#include <catch2/catch.hpp>

namespace chatctl::relay {
namespace {

TEST_CASE("kick, ban and unban become room events in a room and user events without one",
          "[rules]") {
  auto kick = PlanModeration("kick", "general", "bob", std::nullopt, 1000);
  REQUIRE(kick.ok());
  CHECK(kick->kind == control::kRoomKick);
  CHECK(kick->key == control::RoomKey("general"));
  CHECK(kick->args == nlohmann::json{{"user", "bob"}});

  auto cluster_kick = PlanModeration("kick", "", "bob", std::nullopt, 1000);
  REQUIRE(cluster_kick.ok());
  CHECK(cluster_kick->kind == control::kUserKick);
  CHECK(cluster_kick->key == control::UserKey("bob"));
  CHECK(cluster_kick->args == nlohmann::json::object());

  auto unban = PlanModeration("unban", "", "bob", std::nullopt, 1000);
  REQUIRE(unban.ok());
  CHECK(unban->kind == control::kUserUnban);
  CHECK(PlanModeration("unban", "general", "bob", std::nullopt, 0)->kind == control::kRoomUnban);
}

TEST_CASE("a ban lasts its seconds from now, or has no end without them", "[rules]") {
  auto timed = PlanModeration("ban", "general", "bob", 60, 5000);
  REQUIRE(timed.ok());
  CHECK(timed->kind == control::kRoomBan);
  CHECK(timed->args["until"] == 65000);
  CHECK(timed->fields["until"] == 65000);
  auto forever = PlanModeration("ban", "", "bob", std::nullopt, 5000);
  REQUIRE(forever.ok());
  CHECK(forever->kind == control::kUserBan);
  CHECK(forever->args["until"] == 0);
}

TEST_CASE("a request that is no moderation is refused as a bad request", "[rules]") {
  auto plan = PlanModeration("mute", "general", "bob", std::nullopt, 0);
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().code == "bad_request");
}

TEST_CASE("a room that exists cannot be created again; one that does not is, with its owner",
          "[rules]") {
  Directory directory;
  auto plan = PlanRoomCreate(directory, "ops", true, "on call", "alice");
  REQUIRE(plan.ok());
  CHECK(plan->kind == control::kRoomCreate);
  CHECK(plan->args == nlohmann::json{{"private", true}, {"topic", "on call"}, {"owner", "alice"}});
  control::RoomRecord room;
  room.name = "ops";
  room.exists = true;
  directory.Put(room);
  auto again = PlanRoomCreate(directory, "ops", false, "", "bob");
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == "conflict");
}

TEST_CASE("a create stood only if the folded room is the asker's, from its event on", "[rules]") {
  WriteJob job;
  job.message.id = 100;
  CHECK_FALSE(RoomCreateStood(job, "alice"));  // nothing folded
  control::RoomRecord room;
  room.exists = true;
  room.owner = "alice";
  room.last_id = 100;
  job.room_after = room;
  CHECK(RoomCreateStood(job, "alice"));
  CHECK_FALSE(RoomCreateStood(job, "bob"));  // another's create came first
  job.room_after->last_id = 90;              // the fold has not seen this event
  CHECK_FALSE(RoomCreateStood(job, "alice"));
}

TEST_CASE("members are set only in created rooms, and removed only when they are members",
          "[rules]") {
  Directory directory;
  auto uncreated = PlanMember(directory, "ops", "bob", "member");
  REQUIRE_FALSE(uncreated.ok());
  CHECK(uncreated.error().code == "not_found");
  control::RoomRecord room;
  room.name = "ops";
  room.exists = true;
  room.members["alice"] = control::Role::kOwner;
  directory.Put(room);
  auto invite = PlanMember(directory, "ops", "bob", "admin");
  REQUIRE(invite.ok());
  CHECK(invite->args == nlohmann::json{{"user", "bob"}, {"role", "admin"}});
  auto remove_stranger = PlanMember(directory, "ops", "bob", "none");
  REQUIRE_FALSE(remove_stranger.ok());
  CHECK(remove_stranger.error().code == "not_found");
  CHECK(PlanMember(directory, "ops", "alice", "none").ok());
}

TEST_CASE("a topic has at most 256 characters, counted as code points", "[rules]") {
  std::string longest;
  for (int i = 0; i < 256; ++i) longest += "é";  // two bytes each
  CHECK(PlanTopic("general", longest).ok());
  auto too_long = PlanTopic("general", longest + "x");
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error().code == "too_large");
}

TEST_CASE("a user add stood only when the fold kept this event as the account's creation",
          "[rules]") {
  IdGenerator ids(1);
  WriteJob job;
  job.message = MakeControlEvent(PlanUserAdd("bob", "$argon2id$...", false), "operator", ids, 1);
  CHECK_FALSE(UserAddStood(job));
  control::UserRecord user;
  user.created_id = job.message.id;
  job.user_after = user;
  CHECK(UserAddStood(job));
  job.user_after->created_id = job.message.id - 1;  // another node's add came first
  CHECK_FALSE(UserAddStood(job));
}

TEST_CASE("a chat message takes its id from the node's generator and its time from the id",
          "[rules]") {
  IdGenerator ids(3, [] { return std::int64_t{1'700'000'000'000}; });
  Message m = MakeChatMessage(ids, 3, "general", "alice", "hello");
  CHECK(m.id != 0);
  CHECK(m.ts == IdTimestampMs(m.id));
  CHECK(m.origin == 3);
  CHECK(m.channel == "general");
  CHECK(m.from == "alice");
  CHECK(m.text == "hello");
  CHECK(MakeChatMessage(ids, 3, "general", "alice", "again").id > m.id);
}

}  // namespace
}  // namespace chatctl::relay
