// Control-event state in SQLite (see state_tables.h).
#include "lib/state_tables.h"

#include <nlohmann/json.hpp>

namespace chatctl {
namespace {

using control::MessageState;
using control::Role;
using control::RoomRecord;
using control::UserRecord;
using sqlite::BindText;
using sqlite::ColumnText;
using sqlite::StmtUse;

constexpr const char* kUserColumns =
    "name, account, hash, admin, disabled, deleted, ban_until, created_id, last_id, tokens_after";

UserRecord ReadUser(sqlite3_stmt* stmt) {
  UserRecord u;
  u.name = ColumnText(stmt, 0);
  u.account = sqlite3_column_int(stmt, 1) != 0;
  u.hash = ColumnText(stmt, 2);
  u.admin = sqlite3_column_int(stmt, 3) != 0;
  u.disabled = sqlite3_column_int(stmt, 4) != 0;
  u.deleted = sqlite3_column_int(stmt, 5) != 0;
  if (sqlite3_column_type(stmt, 6) != SQLITE_NULL) u.ban_until = sqlite3_column_int64(stmt, 6);
  u.created_id = static_cast<MessageId>(sqlite3_column_int64(stmt, 7));
  u.last_id = static_cast<MessageId>(sqlite3_column_int64(stmt, 8));
  u.tokens_after_ms = sqlite3_column_int64(stmt, 9);
  return u;
}

std::string ReactionsJson(const MessageState& state) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [emoji, users] : state.reactions) j[emoji] = users;
  return j.dump();
}

void ReadReactions(const std::string& text, MessageState& state) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return;
  for (const auto& [emoji, users] : j.items()) {
    if (!users.is_array()) continue;
    for (const auto& u : users) {
      if (u.is_string()) state.reactions[emoji].insert(u.get<std::string>());
    }
  }
}

MessageState ReadState(sqlite3_stmt* stmt) {
  MessageState s;
  s.id = static_cast<MessageId>(sqlite3_column_int64(stmt, 0));
  s.channel = ColumnText(stmt, 1);
  if (sqlite3_column_type(stmt, 2) != SQLITE_NULL) s.text = ColumnText(stmt, 2);
  s.edited_ts = sqlite3_column_int64(stmt, 3);
  s.deleted = sqlite3_column_int(stmt, 4) != 0;
  ReadReactions(ColumnText(stmt, 5), s);
  s.last_id = static_cast<MessageId>(sqlite3_column_int64(stmt, 6));
  return s;
}

// The end of a name range that starts with `prefix`: names use no byte above 'z'.
std::string PrefixEnd(const std::string& prefix) { return prefix + "\x7f"; }

}  // namespace

Error StateTables::Fail(const std::string& what) const {
  return Error{"unavailable", "store " + path_ + ": " + what + ": " + sqlite3_errmsg(db_)};
}

Result<sqlite3_stmt*> StateTables::Statement(const char* sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second.get();
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK) {
    return Fail("cannot prepare statement");
  }
  statements_.emplace(sql, sqlite::Stmt(raw));
  return raw;
}

// --- folding ------------------------------------------------------------------------------------

Result<std::vector<Message>> StateTables::EventsOf(const std::string& key) {
  auto stmt = Statement(
      "SELECT id, channel, sender, body, ts, origin, seq, kind FROM messages "
      "WHERE channel = ?1 ORDER BY id");
  if (!stmt.ok()) return stmt.error();
  StmtUse use(*stmt);
  BindText(*stmt, 1, key);
  std::vector<Message> events;
  for (;;) {
    int rc = sqlite3_step(*stmt);
    if (rc == SQLITE_DONE) return events;
    if (rc != SQLITE_ROW) return Fail("cannot read events of " + key);
    Message m;
    m.id = static_cast<MessageId>(sqlite3_column_int64(*stmt, 0));
    m.channel = ColumnText(*stmt, 1);
    m.from = ColumnText(*stmt, 2);
    m.text = ColumnText(*stmt, 3);
    m.ts = sqlite3_column_int64(*stmt, 4);
    m.origin = static_cast<std::uint32_t>(sqlite3_column_int64(*stmt, 5));
    m.seq = static_cast<std::uint64_t>(sqlite3_column_int64(*stmt, 6));
    m.kind = ColumnText(*stmt, 7);
    events.push_back(std::move(m));
  }
}

Status StateTables::Apply(const Message& event) {
  if (!control::IsKnownKind(event.kind)) return Ok{};  // a newer node's: kept, not folded
  const std::string& key = event.channel;
  std::string name = control::KeyName(key);
  // Folds the event into `state`, or when it is older than what `state` has folded, starts over
  // from every event of the key in id order (the event itself is stored already).
  auto fold = [&](auto& state, auto fold_one, auto fresh) -> Status {
    if (event.id > state.last_id) {
      fold_one(state, event);
      return Ok{};
    }
    auto events = EventsOf(key);
    if (!events.ok()) return events.error();
    state = fresh;
    for (const Message& e : *events) fold_one(state, e);
    return Ok{};
  };
  if (key[0] == '@') {
    auto found = User(name);
    if (!found.ok()) return found.error();
    UserRecord fresh;
    fresh.name = name;
    UserRecord user = found->value_or(fresh);
    if (Status s = fold(user, control::FoldUser, fresh); !s.ok()) return s;
    return SaveUser(user);
  }
  if (key[0] == '#') {
    auto found = LoadRoom(name);
    if (!found.ok()) return found.error();
    RoomRecord fresh;
    fresh.name = name;
    RoomRecord room = *found;
    if (Status s = fold(room, control::FoldRoom, fresh); !s.ok()) return s;
    if (room.history_floor != found->history_floor) {
      // A delete: the room's count starts again from what lies above the floor.
      auto recount = Statement(
          "UPDATE channels SET messages = (SELECT count(*) FROM messages WHERE channel = ?1 AND "
          "id > ?2) WHERE name = ?1");
      if (!recount.ok()) return recount.error();
      StmtUse use(*recount);
      BindText(*recount, 1, name);
      sqlite3_bind_int64(*recount, 2, static_cast<sqlite3_int64>(room.history_floor));
      if (sqlite3_step(*recount) != SQLITE_DONE) return Fail("cannot recount " + name);
    }
    return SaveRoom(*found, room);
  }
  if (key[0] == '%') {
    auto id = ParseId(name);
    if (!id) return Ok{};  // checked where the event came in; nothing to fold
    auto found = State(*id);
    if (!found.ok()) return found.error();
    MessageState fresh;
    fresh.id = *id;
    MessageState state = found->value_or(fresh);
    if (Status s = fold(state, control::FoldMessage, fresh); !s.ok()) return s;
    return SaveState(state);
  }
  return Ok{};
}

Status StateTables::SaveUser(const UserRecord& u) {
  auto stmt = Statement(
      "INSERT OR REPLACE INTO users (name, account, hash, admin, disabled, deleted, ban_until, "
      "created_id, last_id, tokens_after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!stmt.ok()) return stmt.error();
  StmtUse use(*stmt);
  BindText(*stmt, 1, u.name);
  sqlite3_bind_int(*stmt, 2, u.account);
  BindText(*stmt, 3, u.hash);
  sqlite3_bind_int(*stmt, 4, u.admin);
  sqlite3_bind_int(*stmt, 5, u.disabled);
  sqlite3_bind_int(*stmt, 6, u.deleted);
  if (u.ban_until) sqlite3_bind_int64(*stmt, 7, *u.ban_until);
  sqlite3_bind_int64(*stmt, 8, static_cast<sqlite3_int64>(u.created_id));
  sqlite3_bind_int64(*stmt, 9, static_cast<sqlite3_int64>(u.last_id));
  sqlite3_bind_int64(*stmt, 10, u.tokens_after_ms);
  if (sqlite3_step(*stmt) != SQLITE_DONE) return Fail("cannot store user " + u.name);
  return Ok{};
}

Status StateTables::SaveRoom(const RoomRecord& before, const RoomRecord& r) {
  auto stmt = Statement(
      "INSERT OR REPLACE INTO rooms (name, created, private, topic, owner, history_floor, last_id) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!stmt.ok()) return stmt.error();
  {
    StmtUse use(*stmt);
    BindText(*stmt, 1, r.name);
    sqlite3_bind_int(*stmt, 2, r.exists);
    sqlite3_bind_int(*stmt, 3, r.is_private);
    BindText(*stmt, 4, r.topic);
    BindText(*stmt, 5, r.owner);
    sqlite3_bind_int64(*stmt, 6, static_cast<sqlite3_int64>(r.history_floor));
    sqlite3_bind_int64(*stmt, 7, static_cast<sqlite3_int64>(r.last_id));
    if (sqlite3_step(*stmt) != SQLITE_DONE) return Fail("cannot store room " + r.name);
  }
  // Members and bans: only the rows that changed (a big room's invite writes one row, not all).
  auto put_member =
      Statement("INSERT OR REPLACE INTO room_members (room, user, role) VALUES (?1, ?2, ?3)");
  auto drop_member = Statement("DELETE FROM room_members WHERE room = ?1 AND user = ?2");
  auto put_ban =
      Statement("INSERT OR REPLACE INTO room_bans (room, user, until) VALUES (?1, ?2, ?3)");
  auto drop_ban = Statement("DELETE FROM room_bans WHERE room = ?1 AND user = ?2");
  for (auto* s : {&put_member, &drop_member, &put_ban, &drop_ban}) {
    if (!s->ok()) return s->error();
  }
  auto step = [&](sqlite3_stmt* row, const std::string& user, const std::string* text,
                  const std::int64_t* number) -> Status {
    StmtUse use(row);
    BindText(row, 1, r.name);
    BindText(row, 2, user);
    if (text != nullptr) BindText(row, 3, *text);
    if (number != nullptr) sqlite3_bind_int64(row, 3, *number);
    if (sqlite3_step(row) != SQLITE_DONE) return Fail("cannot store room " + r.name);
    return Ok{};
  };
  for (const auto& [user, role] : before.members) {
    if (r.members.count(user) == 0) {
      if (Status s = step(*drop_member, user, nullptr, nullptr); !s.ok()) return s;
    }
  }
  for (const auto& [user, role] : r.members) {
    auto was = before.members.find(user);
    if (was != before.members.end() && was->second == role) continue;
    std::string name(control::RoleName(role));
    if (Status s = step(*put_member, user, &name, nullptr); !s.ok()) return s;
  }
  for (const auto& [user, until] : before.bans) {
    if (r.bans.count(user) == 0) {
      if (Status s = step(*drop_ban, user, nullptr, nullptr); !s.ok()) return s;
    }
  }
  for (const auto& [user, until] : r.bans) {
    auto was = before.bans.find(user);
    if (was != before.bans.end() && was->second == until) continue;
    if (Status s = step(*put_ban, user, nullptr, &until); !s.ok()) return s;
  }
  return Ok{};
}

Status StateTables::SaveState(const MessageState& m) {
  auto stmt = Statement(
      "INSERT OR REPLACE INTO message_state (id, channel, text, edited_ts, deleted, reactions, "
      "last_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!stmt.ok()) return stmt.error();
  StmtUse use(*stmt);
  sqlite3_bind_int64(*stmt, 1, static_cast<sqlite3_int64>(m.id));
  BindText(*stmt, 2, m.channel);
  if (m.text) BindText(*stmt, 3, *m.text);
  sqlite3_bind_int64(*stmt, 4, m.edited_ts);
  sqlite3_bind_int(*stmt, 5, m.deleted);
  BindText(*stmt, 6, ReactionsJson(m));
  sqlite3_bind_int64(*stmt, 7, static_cast<sqlite3_int64>(m.last_id));
  if (sqlite3_step(*stmt) != SQLITE_DONE) return Fail("cannot store message state");
  return Ok{};
}

Status StateTables::CountMessages(const std::string& channel, std::uint64_t count,
                                  MessageId last_id) {
  auto stmt = Statement(
      "INSERT INTO channels (name, messages, last_id) VALUES (?1, ?3, ?2) ON CONFLICT (name) DO "
      "UPDATE SET messages = messages + ?3, last_id = max(last_id, excluded.last_id)");
  if (!stmt.ok()) return stmt.error();
  StmtUse use(*stmt);
  BindText(*stmt, 1, channel);
  sqlite3_bind_int64(*stmt, 2, static_cast<sqlite3_int64>(last_id));
  sqlite3_bind_int64(*stmt, 3, static_cast<sqlite3_int64>(count));
  if (sqlite3_step(*stmt) != SQLITE_DONE) return Fail("cannot count message");
  return Ok{};
}

// --- reading ------------------------------------------------------------------------------------

Result<std::optional<UserRecord>> StateTables::User(const std::string& name) {
  static const std::string sql =
      std::string("SELECT ") + kUserColumns + " FROM users WHERE name = ?1";
  auto stmt = Statement(sql.c_str());
  if (!stmt.ok()) return stmt.error();
  StmtUse use(*stmt);
  BindText(*stmt, 1, name);
  int rc = sqlite3_step(*stmt);
  if (rc == SQLITE_DONE) return std::optional<UserRecord>();
  if (rc != SQLITE_ROW) return Fail("cannot read user " + name);
  return std::optional<UserRecord>(ReadUser(*stmt));
}

Result<std::vector<UserRecord>> StateTables::Users(const std::string& prefix,
                                                   const std::string& after, int limit) {
  static const std::string sql =
      std::string("SELECT ") + kUserColumns +
      " FROM users WHERE name >= ?1 AND name < ?2 AND name > ?3 AND deleted = 0 "
      "ORDER BY name LIMIT ?4";
  auto stmt = Statement(sql.c_str());
  if (!stmt.ok()) return stmt.error();
  StmtUse use(*stmt);
  BindText(*stmt, 1, prefix);
  BindText(*stmt, 2, PrefixEnd(prefix));
  BindText(*stmt, 3, after);
  sqlite3_bind_int(*stmt, 4, limit);
  return StepUsers(*stmt);
}

Result<std::vector<UserRecord>> StateTables::StepUsers(sqlite3_stmt* stmt) {
  std::vector<UserRecord> users;
  for (;;) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) return users;
    if (rc != SQLITE_ROW) return Fail("cannot list users");
    users.push_back(ReadUser(stmt));
  }
}

Result<std::vector<UserRecord>> StateTables::RestrictedUsers() {
  static const std::string sql =
      std::string("SELECT ") + kUserColumns +
      " FROM users WHERE disabled != 0 OR deleted != 0 OR ban_until IS NOT NULL"
      " OR tokens_after != 0";
  auto stmt = Statement(sql.c_str());
  if (!stmt.ok()) return stmt.error();
  StmtUse use(*stmt);
  return StepUsers(*stmt);
}

Result<RoomRecord> StateTables::LoadRoom(const std::string& name) {
  RoomRecord r;
  r.name = name;
  auto room = Statement(
      "SELECT created, private, topic, owner, history_floor, last_id FROM rooms WHERE name = ?1");
  auto members = Statement("SELECT user, role FROM room_members WHERE room = ?1");
  auto bans = Statement("SELECT user, until FROM room_bans WHERE room = ?1");
  for (auto* s : {&room, &members, &bans}) {
    if (!s->ok()) return s->error();
  }
  {
    StmtUse use(*room);
    BindText(*room, 1, name);
    int rc = sqlite3_step(*room);
    if (rc == SQLITE_DONE) return r;
    if (rc != SQLITE_ROW) return Fail("cannot read room " + name);
    r.exists = sqlite3_column_int(*room, 0) != 0;
    r.is_private = sqlite3_column_int(*room, 1) != 0;
    r.topic = ColumnText(*room, 2);
    r.owner = ColumnText(*room, 3);
    r.history_floor = static_cast<MessageId>(sqlite3_column_int64(*room, 4));
    r.last_id = static_cast<MessageId>(sqlite3_column_int64(*room, 5));
  }
  {
    StmtUse use(*members);
    BindText(*members, 1, name);
    int rc;
    while ((rc = sqlite3_step(*members)) == SQLITE_ROW) {
      auto role = control::ParseRole(ColumnText(*members, 1));
      if (role && *role != Role::kNone) r.members[ColumnText(*members, 0)] = *role;
    }
    if (rc != SQLITE_DONE) return Fail("cannot read members of " + name);
  }
  {
    StmtUse use(*bans);
    BindText(*bans, 1, name);
    int rc;
    while ((rc = sqlite3_step(*bans)) == SQLITE_ROW) {
      r.bans[ColumnText(*bans, 0)] = sqlite3_column_int64(*bans, 1);
    }
    if (rc != SQLITE_DONE) return Fail("cannot read bans of " + name);
  }
  return r;
}

Result<RoomRecord> StateTables::Room(const std::string& name) { return LoadRoom(name); }

Result<std::vector<RoomRecord>> StateTables::Rooms() {
  auto stmt = Statement("SELECT name FROM rooms ORDER BY name");
  if (!stmt.ok()) return stmt.error();
  std::vector<std::string> names;
  {
    StmtUse use(*stmt);
    int rc;
    while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) names.push_back(ColumnText(*stmt, 0));
    if (rc != SQLITE_DONE) return Fail("cannot list rooms");
  }
  std::vector<RoomRecord> rooms;
  for (const auto& name : names) {
    auto room = LoadRoom(name);
    if (!room.ok()) return room.error();
    rooms.push_back(std::move(*room));
  }
  return rooms;
}

Result<std::optional<MessageState>> StateTables::State(MessageId id) {
  auto stmt = Statement(
      "SELECT id, channel, text, edited_ts, deleted, reactions, last_id FROM message_state "
      "WHERE id = ?1");
  if (!stmt.ok()) return stmt.error();
  StmtUse use(*stmt);
  sqlite3_bind_int64(*stmt, 1, static_cast<sqlite3_int64>(id));
  int rc = sqlite3_step(*stmt);
  if (rc == SQLITE_DONE) return std::optional<MessageState>();
  if (rc != SQLITE_ROW) return Fail("cannot read message state");
  return std::optional<MessageState>(ReadState(*stmt));
}

Status StateTables::Decorate(const std::string& channel, std::vector<Message>& messages) {
  if (messages.empty()) return Ok{};
  MessageId low = messages.front().id, high = messages.back().id;
  if (low > high) std::swap(low, high);
  auto stmt = Statement(
      "SELECT id, channel, text, edited_ts, deleted, reactions, last_id FROM message_state "
      "WHERE channel = ?1 AND id BETWEEN ?2 AND ?3");
  if (!stmt.ok()) return stmt.error();
  StmtUse use(*stmt);
  BindText(*stmt, 1, channel);
  sqlite3_bind_int64(*stmt, 2, static_cast<sqlite3_int64>(low));
  sqlite3_bind_int64(*stmt, 3, static_cast<sqlite3_int64>(high));
  std::map<MessageId, std::shared_ptr<const MessageState>> states;
  int rc;
  while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
    auto state = std::make_shared<const MessageState>(ReadState(*stmt));
    states.emplace(state->id, state);
  }
  if (rc != SQLITE_DONE) return Fail("cannot read message states");
  if (states.empty()) return Ok{};
  for (Message& m : messages) {
    if (auto it = states.find(m.id); it != states.end()) m.state = it->second;
  }
  return Ok{};
}

Result<std::vector<ChannelSummary>> StateTables::Channels(const std::string& prefix, int limit) {
  auto stmt = Statement(
      "SELECT name, messages, last_id FROM channels WHERE name >= ?1 AND name < ?2 "
      "ORDER BY name LIMIT ?3");
  if (!stmt.ok()) return stmt.error();
  StmtUse use(*stmt);
  BindText(*stmt, 1, prefix);
  BindText(*stmt, 2, PrefixEnd(prefix));
  sqlite3_bind_int(*stmt, 3, limit);
  std::vector<ChannelSummary> out;
  int rc;
  while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
    out.push_back({ColumnText(*stmt, 0), static_cast<std::uint64_t>(sqlite3_column_int64(*stmt, 1)),
                   static_cast<MessageId>(sqlite3_column_int64(*stmt, 2))});
  }
  if (rc != SQLITE_DONE) return Fail("cannot list channels");
  return out;
}

Result<ChannelSummary> StateTables::Channel(const std::string& name) {
  auto stmt = Statement("SELECT name, messages, last_id FROM channels WHERE name = ?1");
  if (!stmt.ok()) return stmt.error();
  StmtUse use(*stmt);
  BindText(*stmt, 1, name);
  ChannelSummary out;
  out.name = name;
  int rc = sqlite3_step(*stmt);
  if (rc == SQLITE_ROW) {
    out.messages = static_cast<std::uint64_t>(sqlite3_column_int64(*stmt, 1));
    out.last_id = static_cast<MessageId>(sqlite3_column_int64(*stmt, 2));
  } else if (rc != SQLITE_DONE) {
    return Fail("cannot read channel " + name);
  }
  return out;
}

}  // namespace chatctl
