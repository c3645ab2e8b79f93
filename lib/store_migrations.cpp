// The schema migrations of the history file (see store_migrations.h). Append only: a released
// migration never changes, since files in the field already ran it.
#include "lib/store_migrations.h"

#include <iterator>

#include "lib/store_sql.h"

namespace chatctl {
namespace {

// kMigrations[v] takes the schema from version v to v + 1; user_version is the number applied.
constexpr const char* kMigrations[] = {
    // v1. A plain rowid table keyed by id. (channel, id) serves both hot reads, the newest N of a
    // channel and everything after an id; (origin, seq) is unique because each origin numbers its
    // events without holes, and it serves HeadSeq and replication range reads.
    "CREATE TABLE messages ("
    "  id INTEGER PRIMARY KEY,"
    "  channel TEXT NOT NULL,"
    "  sender TEXT NOT NULL,"
    "  body TEXT NOT NULL,"
    "  ts INTEGER NOT NULL,"
    "  origin INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL"
    ");"
    "CREATE INDEX messages_by_channel ON messages (channel, id);"
    "CREATE UNIQUE INDEX messages_by_origin_seq ON messages (origin, seq);",
    // v2. Control events (lib/control.h) share the log: `kind` is empty for a chat message, and a
    // control event's `channel` is its key ("@user", "#room", "%id"), which no history read asks
    // for. Their folded state lives in the tables below (lib/state_tables.cpp); `channels` counts
    // messages per channel for listings without a scan.
    "ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT '';"
    "CREATE TABLE users (name TEXT PRIMARY KEY, account INTEGER NOT NULL, hash TEXT NOT NULL,"
    "  admin INTEGER NOT NULL, disabled INTEGER NOT NULL, deleted INTEGER NOT NULL,"
    "  ban_until INTEGER, created_id INTEGER NOT NULL, last_id INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE rooms (name TEXT PRIMARY KEY, created INTEGER NOT NULL,"
    "  private INTEGER NOT NULL, topic TEXT NOT NULL, owner TEXT NOT NULL,"
    "  history_floor INTEGER NOT NULL, last_id INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE room_members (room TEXT NOT NULL, user TEXT NOT NULL, role TEXT NOT NULL,"
    "  PRIMARY KEY (room, user)) WITHOUT ROWID;"
    "CREATE TABLE room_bans (room TEXT NOT NULL, user TEXT NOT NULL, until INTEGER NOT NULL,"
    "  PRIMARY KEY (room, user)) WITHOUT ROWID;"
    "CREATE TABLE message_state (id INTEGER PRIMARY KEY, channel TEXT NOT NULL, text TEXT,"
    "  edited_ts INTEGER NOT NULL, deleted INTEGER NOT NULL, reactions TEXT NOT NULL,"
    "  last_id INTEGER NOT NULL);"
    "CREATE INDEX message_state_by_channel ON message_state (channel, id);"
    "CREATE TABLE channels (name TEXT PRIMARY KEY, messages INTEGER NOT NULL,"
    "  last_id INTEGER NOT NULL) WITHOUT ROWID;"
    "INSERT INTO channels SELECT channel, count(*), max(id) FROM messages GROUP BY channel;",
    // v3. Tokens issued before a user's last password change are refused (UserRecord), so the
    // changes already in the log set it.
    "ALTER TABLE users ADD COLUMN tokens_after INTEGER NOT NULL DEFAULT 0;"
    "UPDATE users SET tokens_after = coalesce((SELECT max(ts) FROM messages"
    "  WHERE kind = 'user.passwd' AND channel = '@' || users.name), 0);",
    // v4. A join with a resume cursor (lib/cursor.h) reads, per origin, a channel's events after
    // a seq: one range of this index each, however far apart the origins' clocks put their ids.
    "CREATE INDEX messages_by_channel_origin ON messages (channel, origin, seq);",
};
static_assert(static_cast<int>(std::size(kMigrations)) == kSchemaVersion,
              "a new migration needs kSchemaVersion raised in store_migrations.h");

Status MigrateInTransaction(sqlite3* db, const std::string& path) {
  // Read again under the write lock: another writer may have migrated since we first looked.
  auto version = store_sql::QueryInt(db, path, "PRAGMA user_version", "cannot read schema version");
  if (!version.ok()) return version.error();
  if (*version > kSchemaVersion) return NewerSchemaError(path, *version);
  if (*version == 0) {
    auto tables =
        store_sql::QueryInt(db, path, "SELECT count(*) FROM sqlite_master", "cannot read schema");
    if (!tables.ok()) return tables.error();
    if (*tables > 0) {
      return Error{"unavailable", "store " + path +
                                      ": is a SQLite database but not a chatctl store "
                                      "(it has tables and no schema version); not touching it"};
    }
  }
  for (auto v = *version; v < kSchemaVersion; ++v) {
    std::string what = "cannot migrate schema to version " + std::to_string(v + 1);
    if (Status s = store_sql::Exec(db, path, kMigrations[v], what); !s.ok()) return s;
  }
  if (*version == kSchemaVersion) return Ok{};
  std::string set_version = "PRAGMA user_version = " + std::to_string(kSchemaVersion);
  return store_sql::Exec(db, path, set_version.c_str(), "cannot record schema version");
}

}  // namespace

Error NewerSchemaError(const std::string& path, std::int64_t version) {
  return Error{"unavailable", "store " + path + ": schema version " + std::to_string(version) +
                                  " is newer than this build of chatctl knows (" +
                                  std::to_string(kSchemaVersion) + "); run a newer chatctl"};
}

Status MigrateSchema(sqlite3* db, const std::string& path) {
  if (Status s = store_sql::Exec(db, path, "BEGIN IMMEDIATE", "cannot begin schema migration");
      !s.ok()) {
    return s;
  }
  Status result = MigrateInTransaction(db, path);
  if (result.ok()) {
    if (Status s = store_sql::Exec(db, path, "COMMIT", "cannot commit schema migration"); !s.ok()) {
      result = s;
    }
  }
  if (!result.ok() && !sqlite3_get_autocommit(db)) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  return result;
}

}  // namespace chatctl
