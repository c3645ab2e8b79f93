// The history file's migrations (lib/store_migrations.h) on a bare SQLite connection: a new file
// reaches this build's version, a second run changes nothing, and a migration that fails leaves
// the file as it was. Migrating real old files through Store is in control_test.cpp.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "lib/store_migrations.h"

using namespace chatctl;

namespace {

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using Db = std::unique_ptr<sqlite3, Closer>;

Db OpenMemory() {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(":memory:", &raw) == SQLITE_OK);
  return Db(raw);
}

std::int64_t QueryInt(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  std::int64_t value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return value;
}

}  // namespace

TEST_CASE("a new file migrates to this build's schema and a second run changes nothing",
          "[store]") {
  Db db = OpenMemory();
  REQUIRE(MigrateSchema(db.get(), "mem").ok());
  CHECK(QueryInt(db.get(), "PRAGMA user_version") == kSchemaVersion);
  std::int64_t objects = QueryInt(db.get(), "SELECT count(*) FROM sqlite_master");
  CHECK(objects > 0);
  CHECK(QueryInt(db.get(),
                 "SELECT count(*) FROM pragma_table_info('users') "
                 "WHERE name = 'tokens_after'") == 1);

  REQUIRE(MigrateSchema(db.get(), "mem").ok());
  CHECK(QueryInt(db.get(), "PRAGMA user_version") == kSchemaVersion);
  CHECK(QueryInt(db.get(), "SELECT count(*) FROM sqlite_master") == objects);
}

TEST_CASE("a migration that fails leaves the file at its old version, untouched", "[store]") {
  Db db = OpenMemory();
  // Claims version 1 but has no messages table: the second migration's ALTER TABLE fails.
  REQUIRE(sqlite3_exec(db.get(), "CREATE TABLE other (x); PRAGMA user_version = 1", nullptr,
                       nullptr, nullptr) == SQLITE_OK);
  Status migrated = MigrateSchema(db.get(), "old.db");
  REQUIRE_FALSE(migrated.ok());
  CHECK(migrated.error().code == "unavailable");
  CHECK_THAT(migrated.error().message,
             Catch::StartsWith("store old.db: cannot migrate schema to version 2: "));
  CHECK(QueryInt(db.get(), "PRAGMA user_version") == 1);
  CHECK(QueryInt(db.get(), "SELECT count(*) FROM sqlite_master") == 1);
  CHECK(sqlite3_get_autocommit(db.get()) != 0);  // no transaction left open
}

TEST_CASE("a schema newer than this build is refused before anything changes", "[store]") {
  Db db = OpenMemory();
  std::string newer = "PRAGMA user_version = " + std::to_string(kSchemaVersion + 1);
  REQUIRE(sqlite3_exec(db.get(), newer.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  Status migrated = MigrateSchema(db.get(), "new.db");
  REQUIRE_FALSE(migrated.ok());
  CHECK(migrated.error().message == NewerSchemaError("new.db", kSchemaVersion + 1).message);
  CHECK_THAT(migrated.error().message, Catch::Contains("run a newer chatctl"));
  CHECK(QueryInt(db.get(), "SELECT count(*) FROM sqlite_master") == 0);
}
