// Small helpers over the SQLite C API shared by the store's files (lib/store.cpp,
// lib/state_tables.cpp). Internal to lib/: nothing outside the store includes it.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>

namespace chatctl::sqlite {

struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// Resets a kept statement when one use of it ends, on every path: a statement left mid-step would
// hold its read snapshot (readers would not see new commits) and the bound copies.
class StmtUse {
 public:
  explicit StmtUse(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StmtUse() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StmtUse(const StmtUse&) = delete;
  StmtUse& operator=(const StmtUse&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

inline std::string ColumnText(sqlite3_stmt* stmt, int column) {
  // Text first, then its byte length, as SQLite asks; the length keeps embedded NULs.
  const unsigned char* text = sqlite3_column_text(stmt, column);
  int bytes = sqlite3_column_bytes(stmt, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(bytes));
}

inline int BindText(sqlite3_stmt* stmt, int index, const std::string& text) {
  return sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

}  // namespace chatctl::sqlite
