// The history file's schema, version by version, and moving a file forward to this build's
// version (PRAGMA user_version counts the migrations applied). Opening the file and reading or
// writing it are store.cpp's; what the state tables mean is state_tables.cpp's.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "lib/result.h"

namespace chatctl {

// The schema this build reads and writes: the number of migrations (checked in the .cpp).
constexpr int kSchemaVersion = 4;

// Brings the schema on `db` (a writable connection) to kSchemaVersion in one transaction, so a
// crash leaves the old version whole and the next start simply migrates again. Refuses a schema
// newer than this build's and a SQLite file that is not a chatctl store. `path` names the file in
// errors.
Status MigrateSchema(sqlite3* db, const std::string& path);

// The refusal of a file whose schema version is newer than this build knows.
Error NewerSchemaError(const std::string& path, std::int64_t version);

}  // namespace chatctl
