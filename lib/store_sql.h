// What the store's files (store.cpp, store_migrations.cpp) share over one SQLite connection:
// failures as Errors that name the file, and one-shot statements. Internal to lib/; kept
// statements and their helpers are lib/sqlite_util.h.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "lib/result.h"
#include "lib/sqlite_util.h"

namespace chatctl::store_sql {

// SQLite's words for the connection's last failure, naming a full disk as such.
inline std::string ErrorText(sqlite3* db) {
  // A failed open may leave no handle at all; SQLite then can only have run out of memory.
  if (db == nullptr) return "out of memory";
  std::string text = sqlite3_errmsg(db);
  if ((sqlite3_extended_errcode(db) & 0xff) == SQLITE_FULL) return "disk full (" + text + ")";
  return text;
}

// "store PATH: WHAT: why", as `unavailable`: the node cannot serve from a store that fails.
inline Error Failure(const std::string& path, std::string_view what, sqlite3* db) {
  return Error{"unavailable", "store " + path + ": " + std::string(what) + ": " + ErrorText(db)};
}

inline Status Exec(sqlite3* db, const std::string& path, const char* sql, std::string_view what) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return Failure(path, what, db);
  return Ok{};
}

// The single integer a query answers (0 when it answers NULL or nothing).
inline Result<std::int64_t> QueryInt(sqlite3* db, const std::string& path, const char* sql,
                                     std::string_view what) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) return Failure(path, what, db);
  sqlite::Stmt stmt(raw);
  int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_DONE) return std::int64_t{0};
  if (rc != SQLITE_ROW) return Failure(path, what, db);
  return sqlite3_column_int64(stmt.get(), 0);
}

}  // namespace chatctl::store_sql
