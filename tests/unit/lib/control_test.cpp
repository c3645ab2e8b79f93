// Control events (lib/control.h) folded into state, on their own and through real SQLite stores:
// the conflict rules, and that every order of arrival ends in the same state.
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "lib/control.h"
#include "lib/state_tables.h"
#include "lib/store.h"

namespace chatctl {
namespace {

using control::Role;

class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/chatctl-control-test-XXXXXX";
    if (mkdtemp(name) == nullptr) FAIL("mkdtemp failed");
    path_ = name;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Events get ids 1000, 1001, ... in the order written here, as if from one node.
struct Log {
  std::vector<Message> events;
  MessageId next = 1000;
  std::uint32_t origin = 1;
  Message& Add(std::string_view kind, std::string key, std::string actor, std::string args) {
    Message m =
        control::MakeEvent(kind, std::move(key), std::move(actor), std::move(args), next++, origin);
    m.seq = m.id;
    events.push_back(std::move(m));
    return events.back();
  }
};

std::unique_ptr<Store> Writer(const std::string& path) {
  auto store = Store::OpenWriter(path, Durability::kNormal);
  INFO((store.ok() ? std::string() : store.error().message));
  REQUIRE(store.ok());
  return std::move(store.value());
}

void AppendOneByOne(Store& store, const std::vector<Message>& events) {
  for (const auto& e : events) {
    Status s = store.Append({e});
    INFO((s.ok() ? std::string() : s.error().message));
    REQUIRE(s.ok());
  }
}

control::UserRecord UserOf(Store& store, const std::string& name) {
  auto u = store.state().User(name);
  REQUIRE(u.ok());
  REQUIRE(u->has_value());
  return **u;
}

control::RoomRecord RoomOf(Store& store, const std::string& name) {
  auto r = store.state().Room(name);
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

TEST_CASE("the first user.add stands and a later one changes nothing", "[control]") {
  Log log;
  control::UserRecord u;
  u.name = "alice";
  control::FoldUser(u, log.Add(control::kUserAdd, "@alice", "op", R"({"hash":"h1","admin":true})"));
  control::FoldUser(u, log.Add(control::kUserAdd, "@alice", "op", R"({"hash":"h2"})"));
  CHECK(u.hash == "h1");
  CHECK(u.admin);
  CHECK(u.created_id == 1000);
  control::FoldUser(u, log.Add(control::kUserPassword, "@alice", "op", R"({"hash":"h3"})"));
  CHECK(u.hash == "h3");
  control::FoldUser(u, log.Add(control::kUserDelete, "@alice", "op", "{}"));
  CHECK(u.deleted);
  CHECK_FALSE(u.account);
  CHECK(u.hash.empty());
  control::FoldUser(u, log.Add(control::kUserAdd, "@alice", "op", R"({"hash":"h4"})"));
  CHECK_FALSE(u.deleted);
  CHECK(u.hash == "h4");
  CHECK_FALSE(u.admin);
}

TEST_CASE("bans expire and unban lifts them", "[control]") {
  control::UserRecord u;
  Log log;
  control::FoldUser(u, log.Add(control::kUserBan, "@eve", "op", R"({"until":5000})"));
  CHECK(u.Banned(4999));
  CHECK_FALSE(u.Banned(5000));
  control::FoldUser(u, log.Add(control::kUserBan, "@eve", "op", R"({"until":0})"));
  CHECK(u.Banned(1LL << 50));  // 0: no expiry
  control::FoldUser(u, log.Add(control::kUserUnban, "@eve", "op", "{}"));
  CHECK_FALSE(u.Restricted(0));
}

TEST_CASE("a room's first create stands; members, bans and delete fold in order", "[control]") {
  Log log;
  control::RoomRecord r;
  r.name = "staff";
  control::FoldRoom(r, log.Add(control::kRoomCreate, "#staff", "alice",
                               R"({"private":true,"topic":"ops","owner":"alice"})"));
  control::FoldRoom(
      r, log.Add(control::kRoomCreate, "#staff", "bob", R"({"private":false,"owner":"bob"})"));
  CHECK(r.exists);
  CHECK(r.is_private);
  CHECK(r.owner == "alice");
  CHECK(r.RoleOf("alice") == Role::kOwner);
  CHECK(r.RoleOf("bob") == Role::kNone);
  control::FoldRoom(
      r, log.Add(control::kRoomMember, "#staff", "alice", R"({"user":"bob","role":"admin"})"));
  CHECK(r.RoleOf("bob") == Role::kAdmin);
  control::FoldRoom(
      r, log.Add(control::kRoomMember, "#staff", "alice", R"({"user":"bob","role":"none"})"));
  CHECK(r.RoleOf("bob") == Role::kNone);
  control::FoldRoom(r, log.Add(control::kRoomBan, "#staff", "alice", R"({"user":"eve"})"));
  CHECK(r.BannedHere("eve", 123));
  Message& del = log.Add(control::kRoomDelete, "#staff", "alice", "{}");
  control::FoldRoom(r, del);
  CHECK_FALSE(r.exists);
  CHECK(r.members.empty());
  CHECK(r.history_floor == del.id);
}

TEST_CASE("arguments of the wrong type are ignored, never thrown", "[control]") {
  Log log;
  control::RoomRecord r;
  control::FoldRoom(r, log.Add(control::kRoomMember, "#x", "a", R"({"user":7,"role":[1]})"));
  control::FoldRoom(r, log.Add(control::kRoomTopic, "#x", "a", "not json"));
  CHECK(r.members.empty());
  CHECK(r.topic.empty());
  control::MessageState m;
  control::FoldMessage(m, log.Add(control::kMsgReact, "%5", "a", R"({"emoji":"","on":"yes"})"));
  CHECK(m.reactions.empty());
}

TEST_CASE("edits, reactions and a delete fold into a message's state", "[control]") {
  Log log;
  control::MessageState m;
  control::FoldMessage(
      m, log.Add(control::kMsgEdit, "%5", "alice", R"({"channel":"general","text":"fixed"})"));
  control::FoldMessage(m, log.Add(control::kMsgReact, "%5", "bob",
                                  R"({"channel":"general","emoji":"+1","on":true})"));
  control::FoldMessage(m, log.Add(control::kMsgReact, "%5", "carol",
                                  R"({"channel":"general","emoji":"+1","on":true})"));
  control::FoldMessage(m, log.Add(control::kMsgReact, "%5", "bob",
                                  R"({"channel":"general","emoji":"+1","on":false})"));
  CHECK(m.channel == "general");
  CHECK(m.text == "fixed");
  REQUIRE(m.reactions.count("+1") == 1);
  CHECK(m.reactions["+1"] == std::set<std::string>{"carol"});
  control::FoldMessage(m, log.Add(control::kMsgDelete, "%5", "alice", R"({"channel":"general"})"));
  CHECK(m.deleted);
  CHECK(m.reactions.empty());
  control::FoldMessage(
      m, log.Add(control::kMsgEdit, "%5", "alice", R"({"channel":"general","text":"back"})"));
  CHECK(m.text == "");  // a deleted message stays deleted
}

TEST_CASE("two stores that receive the same events in different orders end in the same state",
          "[control][store]") {
  Log log;
  log.Add(control::kUserAdd, "@alice", "n1", R"({"hash":"from-node-1"})");
  log.Add(control::kUserAdd, "@alice", "n2", R"({"hash":"from-node-2"})");
  log.Add(control::kUserPassword, "@alice", "op", R"({"hash":"changed"})");
  log.Add(control::kUserDisable, "@alice", "op", "{}");
  log.Add(control::kUserBan, "@bob", "op", R"({"until":0})");
  log.Add(control::kUserUnban, "@bob", "op", "{}");
  log.Add(control::kRoomCreate, "#staff", "alice", R"({"private":true,"owner":"alice"})");
  log.Add(control::kRoomCreate, "#staff", "bob", R"({"private":false,"owner":"bob"})");
  log.Add(control::kRoomMember, "#staff", "alice", R"({"user":"carol","role":"member"})");
  log.Add(control::kRoomMember, "#staff", "alice", R"({"user":"dave","role":"admin"})");
  log.Add(control::kRoomMember, "#staff", "alice", R"({"user":"carol","role":"none"})");
  log.Add(control::kRoomTopic, "#staff", "alice", R"({"topic":"first"})");
  log.Add(control::kRoomTopic, "#staff", "dave", R"({"topic":"second"})");
  log.Add(control::kRoomBan, "#staff", "dave", R"({"user":"eve","until":0})");
  log.Add(control::kMsgReact, "%77", "bob", R"({"channel":"staff","emoji":"+1","on":true})");
  log.Add(control::kMsgEdit, "%77", "alice", R"({"channel":"staff","text":"v2"})");

  TempDir dir;
  auto in_order = Writer(dir.File("a.db"));
  AppendOneByOne(*in_order, log.events);

  std::vector<Message> shuffled = log.events;
  std::mt19937 rng(42);
  for (int round = 0; round < 3; ++round) {
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    auto other = Writer(dir.File("b" + std::to_string(round) + ".db"));
    AppendOneByOne(*other, shuffled);
    for (const char* name : {"alice", "bob"}) {
      auto a = UserOf(*in_order, name), b = UserOf(*other, name);
      CHECK(a.hash == b.hash);
      CHECK(a.disabled == b.disabled);
      CHECK(a.ban_until == b.ban_until);
      CHECK(a.created_id == b.created_id);
    }
    auto ra = RoomOf(*in_order, "staff"), rb = RoomOf(*other, "staff");
    CHECK(ra.owner == rb.owner);
    CHECK(ra.is_private == rb.is_private);
    CHECK(ra.topic == rb.topic);
    CHECK(ra.members == rb.members);
    CHECK(ra.bans == rb.bans);
    auto ma = in_order->state().State(77), mb = other->state().State(77);
    REQUIRE(ma.ok());
    REQUIRE(mb.ok());
    REQUIRE(ma->has_value());
    REQUIRE(mb->has_value());
    CHECK((*ma)->text == (*mb)->text);
    CHECK((*ma)->reactions == (*mb)->reactions);
  }
  // And the state is the one the rules give.
  auto alice = UserOf(*in_order, "alice");
  CHECK(alice.hash == "changed");
  CHECK(alice.created_id == 1000);
  CHECK(alice.disabled);
  auto staff = RoomOf(*in_order, "staff");
  CHECK(staff.owner == "alice");
  CHECK(staff.topic == "second");
  CHECK(staff.members ==
        std::map<std::string, Role>{{"alice", Role::kOwner}, {"dave", Role::kAdmin}});
}

TEST_CASE("history reads honour a deleted room's floor and show edits and reactions",
          "[control][store]") {
  TempDir dir;
  auto store = Writer(dir.File("h.db"));
  std::vector<Message> messages;
  for (MessageId id = 1; id <= 5; ++id) {
    Message m;
    m.id = id;
    m.channel = "general";
    m.from = "alice";
    m.text = "m" + std::to_string(id);
    m.ts = static_cast<std::int64_t>(id);
    m.origin = 2;
    m.seq = id;
    messages.push_back(m);
  }
  REQUIRE(store->Append(messages).ok());
  Log log;
  log.origin = 3;
  log.Add(control::kMsgEdit, "%2", "alice", R"({"channel":"general","text":"m2 fixed"})");
  log.Add(control::kMsgDelete, "%4", "alice", R"({"channel":"general"})");
  AppendOneByOne(*store, log.events);

  auto page = store->Newest("general", 10);
  REQUIRE(page.ok());
  REQUIRE(page->messages.size() == 5);
  REQUIRE(page->messages[1].state);
  CHECK(page->messages[1].state->text == "m2 fixed");
  REQUIRE(page->messages[3].state);
  CHECK(page->messages[3].state->deleted);
  CHECK_FALSE(page->messages[0].state);

  auto floored = store->Newest("general", 10, /*floor=*/3);
  REQUIRE(floored.ok());
  REQUIRE(floored->messages.size() == 2);
  CHECK(floored->messages.front().id == 4);

  auto channels = store->state().Channels("", 10);
  REQUIRE(channels.ok());
  REQUIRE(channels->size() == 1);  // control events' keys are not channels
  CHECK(channels->front().name == "general");
  CHECK(channels->front().messages == 5);
  CHECK(channels->front().last_id == 5);
}

TEST_CASE("a version 1 store migrates to version 2 with its channels counted", "[control][store]") {
  TempDir dir;
  std::string path = dir.File("v1.db");
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  const char* v1 =
      "CREATE TABLE messages (id INTEGER PRIMARY KEY, channel TEXT NOT NULL, sender TEXT NOT NULL,"
      " body TEXT NOT NULL, ts INTEGER NOT NULL, origin INTEGER NOT NULL, seq INTEGER NOT NULL);"
      "CREATE INDEX messages_by_channel ON messages (channel, id);"
      "CREATE UNIQUE INDEX messages_by_origin_seq ON messages (origin, seq);"
      "INSERT INTO messages VALUES (10, 'general', 'a', 'x', 1, 1, 1), (11, 'general', 'b', 'y', "
      "2, "
      "1, 2), (12, 'dev', 'a', 'z', 3, 1, 3);"
      "PRAGMA user_version = 1;";
  REQUIRE(sqlite3_exec(db, v1, nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);

  auto store = Writer(path);
  auto channels = store->state().Channels("", 10);
  REQUIRE(channels.ok());
  REQUIRE(channels->size() == 2);
  CHECK(channels->at(0).name == "dev");
  CHECK(channels->at(1).messages == 2);
  auto page = store->Newest("general", 10);
  REQUIRE(page.ok());
  CHECK(page->messages.size() == 2);
  CHECK(page->messages.front().kind.empty());
}

TEST_CASE("users are listed by name prefix in pages", "[control][store]") {
  TempDir dir;
  auto store = Writer(dir.File("u.db"));
  Log log;
  for (const char* name : {"ann", "anna", "annie", "bob", "an"}) {
    log.Add(control::kUserAdd, control::UserKey(name), "op", R"({"hash":"h"})");
  }
  log.Add(control::kUserDelete, "@annie", "op", "{}");
  AppendOneByOne(*store, log.events);
  auto page = store->state().Users("ann", "", 10);
  REQUIRE(page.ok());
  std::vector<std::string> names;
  for (const auto& u : *page) names.push_back(u.name);
  CHECK(names == std::vector<std::string>{"ann", "anna"});  // annie was deleted
  auto next = store->state().Users("", "anna", 10);
  REQUIRE(next.ok());
  REQUIRE(next->size() == 1);
  CHECK(next->front().name == "bob");
}

}  // namespace chatctl

namespace chatctl {

TEST_CASE("a password change, or an account made anew, refuses the tokens from before it",
          "[control]") {
  Log log;
  control::UserRecord u;
  u.name = "alice";
  control::FoldUser(u, log.Add(control::kUserAdd, "@alice", "op", R"({"hash":"h1"})"));
  CHECK(u.tokens_after_ms == 0);  // a first account: no token of it can be older
  Message& changed = log.Add(control::kUserPassword, "@alice", "op", R"({"hash":"h2"})");
  changed.ts = 5000;
  control::FoldUser(u, changed);
  CHECK(u.tokens_after_ms == 5000);
  control::FoldUser(u, log.Add(control::kUserDelete, "@alice", "op", "{}"));
  Message& again = log.Add(control::kUserAdd, "@alice", "op", R"({"hash":"h3"})");
  again.ts = 9000;
  control::FoldUser(u, again);
  CHECK(u.tokens_after_ms == 9000);  // the deleted account's tokens are not this one's
  Message& older = log.Add(control::kUserPassword, "@alice", "op", R"({"hash":"h4"})");
  older.ts = 7000;  // another node's clock: the cutoff never moves back
  control::FoldUser(u, older);
  CHECK(u.tokens_after_ms == 9000);
}

TEST_CASE("a version 2 store migrates to version 3 with its password changes' times",
          "[control][store]") {
  TempDir dir;
  std::string path = dir.File("v2.db");
  Log log;
  log.Add(control::kUserAdd, "@alice", "op", R"({"hash":"h1"})");
  log.Add(control::kUserAdd, "@bob", "op", R"({"hash":"h1"})");
  Message& changed = log.Add(control::kUserPassword, "@alice", "op", R"({"hash":"h2"})");
  {
    auto store = Writer(path);
    AppendOneByOne(*store, log.events);
    CHECK(UserOf(*store, "alice").tokens_after_ms == changed.ts);
  }
  // Back to version 2: the column and the version 4 index gone, as that release left the file.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(
              db,
              "ALTER TABLE users DROP COLUMN tokens_after; DROP INDEX messages_by_channel_origin;"
              " PRAGMA user_version = 2;",
              nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);

  auto store = Writer(path);
  CHECK(UserOf(*store, "alice").tokens_after_ms == changed.ts);
  CHECK(UserOf(*store, "bob").tokens_after_ms == 0);
  auto held = store->state().RestrictedUsers();
  REQUIRE(held.ok());
  REQUIRE(held->size() == 1);
  CHECK(held->front().name == "alice");
}

}  // namespace chatctl
