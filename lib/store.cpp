// The history store (see store.h) on the raw SQLite C API: opening the file, group commits, the
// paged channel reads, and the per-origin range reads replication uses. The schema and its
// migrations are store_migrations.cpp's. Retention is not here yet.
#include "lib/store.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>

#include "lib/sqlite_util.h"
#include "lib/state_tables.h"
#include "lib/store_migrations.h"
#include "lib/store_sql.h"

namespace chatctl {
namespace {

constexpr int kBusyTimeoutMs = 5000;
// SQLite integers are signed 64-bit; ids and seqs above this cannot be stored as they are.
constexpr std::uint64_t kMaxSqlInteger = std::numeric_limits<std::int64_t>::max();

// A new id that collides with a stored one is skipped (the same event applied twice); a stored
// (origin, seq) under another id still fails, since skipping it would ack a message never stored.
constexpr const char* kInsertSql =
    "INSERT INTO messages (id, channel, sender, body, ts, origin, seq, kind) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO NOTHING";
constexpr const char* kNewestSql =
    "SELECT id, channel, sender, body, ts, origin, seq, kind FROM messages "
    "WHERE channel = ?1 AND id > ?3 ORDER BY id DESC LIMIT ?2";
constexpr const char* kBeforeSql =
    "SELECT id, channel, sender, body, ts, origin, seq, kind FROM messages "
    "WHERE channel = ?1 AND id < ?2 AND id > ?4 ORDER BY id DESC LIMIT ?3";
constexpr const char* kAfterSql =
    "SELECT id, channel, sender, body, ts, origin, seq, kind FROM messages "
    "WHERE channel = ?1 AND id > ?2 AND id > ?4 ORDER BY id ASC LIMIT ?3";
constexpr const char* kHeadSeqSql = "SELECT max(seq) FROM messages WHERE origin = ?1";
constexpr const char* kNextOriginSql =
    "SELECT origin FROM messages WHERE origin >= ?1 ORDER BY origin LIMIT 1";
// Within one origin ids grow with seq, so seq order is id order.
constexpr const char* kChannelOriginSql =
    "SELECT id, channel, sender, body, ts, origin, seq, kind FROM messages "
    "WHERE channel = ?1 AND origin = ?2 AND seq > ?3 AND id > ?4 ORDER BY seq ASC LIMIT ?5";
constexpr const char* kGetSql =
    "SELECT id, channel, sender, body, ts, origin, seq, kind FROM messages WHERE id = ?1";
constexpr const char* kMaxIdSql = "SELECT max(id) FROM messages";
constexpr const char* kRangeSql =
    "SELECT id, channel, sender, body, ts, origin, seq, kind FROM messages "
    "WHERE origin = ?1 AND seq > ?2 ORDER BY seq ASC LIMIT ?3";

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

using sqlite::BindText;
using sqlite::ColumnText;
using sqlite::Stmt;
using sqlite::StmtUse;

Message ReadMessage(sqlite3_stmt* stmt) {
  Message m;
  m.id = static_cast<MessageId>(sqlite3_column_int64(stmt, 0));
  m.channel = ColumnText(stmt, 1);
  m.from = ColumnText(stmt, 2);
  m.text = ColumnText(stmt, 3);
  m.ts = sqlite3_column_int64(stmt, 4);
  m.origin = static_cast<std::uint32_t>(sqlite3_column_int64(stmt, 5));
  m.seq = static_cast<std::uint64_t>(sqlite3_column_int64(stmt, 6));
  m.kind = ColumnText(stmt, 7);
  return m;
}

}  // namespace

struct Store::Impl {
  // Declared first so that it is destroyed last, after every statement is finalized.
  Db db;
  std::string path;
  bool writable = false;
  Stmt begin, commit, rollback, insert;  // writer only
  Stmt newest, before, after, head_seq, max_id, range, get, next_origin, channel_origin;
  Stmt begin_read, end_read;
  int wal_frames = 0;                  // writer: set by the WAL hook after each commit
  std::unique_ptr<StateTables> state;  // control events' state, on this connection

  // Opens the connection and reads the header: a file that is not a database fails here, before
  // anything writes to it, and so does a schema newer than this build.
  static Result<std::unique_ptr<Impl>> Open(const std::string& path, int flags, bool writable) {
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->writable = writable;
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    impl->db.reset(raw);  // a failed open still hands back a handle that must be closed
    if (rc != SQLITE_OK) return impl->Fail("cannot open");
    impl->state = std::make_unique<StateTables>(raw, path);
    sqlite3_busy_timeout(raw, kBusyTimeoutMs);
    auto version = impl->QueryInt("PRAGMA user_version", "cannot open");
    if (!version.ok()) return version.error();
    if (*version > kSchemaVersion) return NewerSchemaError(path, *version);
    return impl;
  }

  Error Fail(std::string_view what) const { return store_sql::Failure(path, what, db.get()); }

  Status Exec(const char* sql, std::string_view what) {
    return store_sql::Exec(db.get(), path, sql, what);
  }

  Result<std::int64_t> QueryInt(const char* sql, std::string_view what) {
    return store_sql::QueryInt(db.get(), path, sql, what);
  }

  Result<std::string> QueryText(const char* sql, std::string_view what) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql, -1, &raw, nullptr) != SQLITE_OK) return Fail(what);
    Stmt stmt(raw);
    int rc = sqlite3_step(stmt.get());
    if (rc == SQLITE_DONE) return std::string();
    if (rc != SQLITE_ROW) return Fail(what);
    return ColumnText(stmt.get(), 0);
  }

  Result<Stmt> Prepare(const char* sql) {
    sqlite3_stmt* raw = nullptr;
    // Persistent: these live as long as the connection and are reset, never re-prepared.
    if (sqlite3_prepare_v3(db.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) !=
        SQLITE_OK) {
      return Fail("cannot prepare statement");
    }
    return Stmt(raw);
  }

  Status PrepareAll() {
    std::vector<std::pair<Stmt*, const char*>> wanted = {{&newest, kNewestSql},
                                                         {&before, kBeforeSql},
                                                         {&after, kAfterSql},
                                                         {&head_seq, kHeadSeqSql},
                                                         {&max_id, kMaxIdSql},
                                                         {&range, kRangeSql},
                                                         {&get, kGetSql},
                                                         {&next_origin, kNextOriginSql},
                                                         {&channel_origin, kChannelOriginSql},
                                                         {&begin_read, "BEGIN"},
                                                         {&end_read, "COMMIT"}};
    if (writable) {
      wanted.insert(wanted.begin(), {{&begin, "BEGIN IMMEDIATE"},
                                     {&commit, "COMMIT"},
                                     {&rollback, "ROLLBACK"},
                                     {&insert, kInsertSql}});
    }
    for (auto [stmt, sql] : wanted) {
      auto prepared = Prepare(sql);
      if (!prepared.ok()) return prepared.error();
      *stmt = std::move(prepared).value();
    }
    return Ok{};
  }

  // Inserts one message inside the open transaction: true when stored, false when it was stored
  // already. The error, if any, is read before the statement is reset so that it still describes
  // this step.
  Result<bool> Insert(const Message& m) {
    sqlite3_stmt* stmt = insert.get();
    StmtUse use(stmt);
    int rc = sqlite3_bind_int64(stmt, 1, static_cast<sqlite3_int64>(m.id));
    if (rc == SQLITE_OK) rc = BindText(stmt, 2, m.channel);
    if (rc == SQLITE_OK) rc = BindText(stmt, 3, m.from);
    if (rc == SQLITE_OK) rc = BindText(stmt, 4, m.text);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 5, m.ts);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 6, m.origin);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 7, static_cast<sqlite3_int64>(m.seq));
    if (rc == SQLITE_OK) rc = BindText(stmt, 8, m.kind);
    if (rc != SQLITE_OK) return Fail("cannot bind message " + std::to_string(m.id));
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) return sqlite3_changes(db.get()) != 0;
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
      return Error{"conflict", "store " + path + ": event (origin " + std::to_string(m.origin) +
                                   ", seq " + std::to_string(m.seq) +
                                   ") is already stored under another id than " +
                                   std::to_string(m.id) + "; nothing in this batch was stored"};
    }
    return Fail("cannot store message " + std::to_string(m.id));
  }

  // Inserts the batch inside the open transaction, folding control events into the state tables
  // and counting the chat messages per channel.
  Status InsertAll(const std::vector<Message>& messages) {
    std::map<std::string, ChannelSummary> counts;  // written once per channel per batch
    for (const Message& m : messages) {
      auto stored = Insert(m);
      if (!stored.ok()) return stored.error();
      if (!*stored) continue;  // had it already
      if (m.is_control()) {
        if (Status folded = state->Apply(m); !folded.ok()) return folded;
      } else {
        ChannelSummary& c = counts[m.channel];
        ++c.messages;
        c.last_id = std::max(c.last_id, m.id);
      }
    }
    for (const auto& [channel, count] : counts) {
      Status counted = state->CountMessages(channel, count.messages, count.last_id);
      if (!counted.ok()) return counted;
    }
    return Ok{};
  }

  Result<Page> ReadPage(sqlite3_stmt* stmt, int limit, bool newest_first) {
    Page page;
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return Fail("cannot read history");
      // The query asked for one row beyond the page; its existence is the `more` flag.
      if (page.messages.size() == static_cast<std::size_t>(limit)) {
        page.more = true;
        break;
      }
      page.messages.push_back(ReadMessage(stmt));
    }
    if (newest_first) std::reverse(page.messages.begin(), page.messages.end());
    return page;
  }

  Result<Page> Decorated(const std::string& channel, Result<Page> page) {
    if (!page.ok()) return page;
    if (Status s = state->Decorate(channel, page->messages); !s.ok()) return s.error();
    return page;
  }

  Result<std::int64_t> ReadMax(sqlite3_stmt* stmt, std::string_view what) {
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) return Fail(what);
    return sqlite3_column_int64(stmt, 0);  // max() over no rows is NULL, which reads as 0
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::OpenWriter(const std::string& path, Durability durability) {
  auto opened = Impl::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, /*writable=*/true);
  if (!opened.ok()) return opened.error();
  std::unique_ptr<Impl> impl = std::move(opened.value());

  // WAL: readers never block the writer, and a NORMAL commit costs no fsync yet survives a process
  // crash; FULL syncs the WAL on every commit to survive power loss too.
  auto mode = impl->QueryText("PRAGMA journal_mode = WAL", "cannot switch to WAL");
  if (!mode.ok()) return mode.error();
  if (*mode != "wal") {
    return Error{"unavailable",
                 "store " + path + ": cannot switch to WAL (journal mode stays " + *mode + ")"};
  }
  const char* sync =
      durability == Durability::kFull ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
  if (Status s = impl->Exec(sync, "cannot set synchronous"); !s.ok()) return s.error();
  if (Status s = impl->Exec("PRAGMA foreign_keys = OFF", "cannot set foreign_keys"); !s.ok()) {
    return s.error();
  }
  if (Status s = MigrateSchema(impl->db.get(), path); !s.ok()) return s.error();
  if (Status s = impl->PrepareAll(); !s.ok()) return s.error();
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Result<std::unique_ptr<Store>> Store::OpenCheckpointer(const std::string& path) {
  auto opened = Impl::Open(path, SQLITE_OPEN_READWRITE, /*writable=*/false);
  if (!opened.ok()) return opened.error();
  std::unique_ptr<Impl> impl = std::move(opened.value());
  // A checkpoint syncs the WAL before copying and the database after: the fsyncs happen here, on
  // the checkpointer's thread, instead of in a commit.
  if (Status s = impl->Exec("PRAGMA synchronous = NORMAL", "cannot set synchronous"); !s.ok()) {
    return s.error();
  }
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Status Store::DisableAutoCheckpoint() {
  if (Status s = impl_->Exec("PRAGMA wal_autocheckpoint = 0", "cannot turn auto-checkpoint off");
      !s.ok()) {
    return s;
  }
  // The hook replaces the one auto-checkpoint used; it only counts.
  sqlite3_wal_hook(
      impl_->db.get(),
      [](void* impl, sqlite3*, const char*, int frames) {
        static_cast<Impl*>(impl)->wal_frames = frames;
        return SQLITE_OK;
      },
      impl_.get());
  // Once a restart leaves the WAL empty, its file is cut back to this size.
  return impl_->Exec("PRAGMA journal_size_limit = 67108864", "cannot set journal_size_limit");
}

int Store::WalFrames() const { return impl_->wal_frames; }

Result<CheckpointResult> Store::Checkpoint(bool wait) {
  CheckpointResult result;
  int rc = sqlite3_wal_checkpoint_v2(impl_->db.get(), nullptr,
                                     wait ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE,
                                     &result.wal_frames, &result.checkpointed);
  // BUSY: another connection holds what this checkpoint needed; it copied what it could.
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) return impl_->Fail("cannot checkpoint");
  return result;
}

Result<std::unique_ptr<Store>> Store::OpenReader(const std::string& path) {
  auto opened = Impl::Open(path, SQLITE_OPEN_READONLY, /*writable=*/false);
  if (!opened.ok()) return opened.error();
  std::unique_ptr<Impl> impl = std::move(opened.value());

  // A reader cannot migrate; the node opens its writer first, which does.
  auto version = impl->QueryInt("PRAGMA user_version", "cannot read schema version");
  if (!version.ok()) return version.error();
  if (*version < kSchemaVersion) {
    return Error{"unavailable", "store " + path + ": schema version " + std::to_string(*version) +
                                    " is older than " + std::to_string(kSchemaVersion) +
                                    " (or missing); open the writer first to migrate it"};
  }
  if (Status s = impl->PrepareAll(); !s.ok()) return s.error();
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Status Store::Append(const std::vector<Message>& messages) {
  Impl& s = *impl_;
  if (messages.empty()) return Ok{};
  if (!s.writable) {
    return Error{"internal", "store " + s.path + ": opened read-only; cannot append"};
  }
  for (const Message& m : messages) {
    if (m.id > kMaxSqlInteger || m.seq > kMaxSqlInteger) {
      return Error{"internal", "store " + s.path + ": message " + std::to_string(m.id) + " (seq " +
                                   std::to_string(m.seq) + ") does not fit a 63-bit integer"};
    }
  }

  {
    StmtUse use(s.begin.get());
    if (sqlite3_step(s.begin.get()) != SQLITE_DONE) return s.Fail("cannot begin transaction");
  }
  Status result = s.InsertAll(messages);
  if (result.ok()) {
    StmtUse use(s.commit.get());
    if (sqlite3_step(s.commit.get()) != SQLITE_DONE) result = s.Fail("cannot commit");
  }
  if (result.ok()) return result;
  // A failed statement or commit may already have rolled back; then there is nothing to undo.
  if (!sqlite3_get_autocommit(s.db.get())) {
    StmtUse use(s.rollback.get());
    sqlite3_step(s.rollback.get());
  }
  return result;
}

Result<Page> Store::Newest(const std::string& channel, int limit, MessageId floor) {
  if (limit <= 0) return Page{};
  sqlite3_stmt* stmt = impl_->newest.get();
  StmtUse use(stmt);
  if (BindText(stmt, 1, channel) != SQLITE_OK ||
      sqlite3_bind_int64(stmt, 2, sqlite3_int64{limit} + 1) != SQLITE_OK ||
      sqlite3_bind_int64(stmt, 3, static_cast<sqlite3_int64>(floor)) != SQLITE_OK) {
    return impl_->Fail("cannot read history");
  }
  return impl_->Decorated(channel, impl_->ReadPage(stmt, limit, /*newest_first=*/true));
}

Result<Page> Store::Before(const std::string& channel, MessageId before, int limit,
                           MessageId floor) {
  if (limit <= 0) return Page{};
  // Every stored id is below an anchor past the integer range, so that is the newest page.
  if (before > kMaxSqlInteger) return Newest(channel, limit, floor);
  sqlite3_stmt* stmt = impl_->before.get();
  StmtUse use(stmt);
  if (BindText(stmt, 1, channel) != SQLITE_OK ||
      sqlite3_bind_int64(stmt, 2, static_cast<sqlite3_int64>(before)) != SQLITE_OK ||
      sqlite3_bind_int64(stmt, 3, sqlite3_int64{limit} + 1) != SQLITE_OK ||
      sqlite3_bind_int64(stmt, 4, static_cast<sqlite3_int64>(floor)) != SQLITE_OK) {
    return impl_->Fail("cannot read history");
  }
  return impl_->Decorated(channel, impl_->ReadPage(stmt, limit, /*newest_first=*/true));
}

Result<Page> Store::After(const std::string& channel, MessageId after, int limit, MessageId floor) {
  if (limit <= 0) return Page{};
  // No stored id lies above the integer range.
  if (after >= kMaxSqlInteger) return Page{};
  sqlite3_stmt* stmt = impl_->after.get();
  StmtUse use(stmt);
  if (BindText(stmt, 1, channel) != SQLITE_OK ||
      sqlite3_bind_int64(stmt, 2, static_cast<sqlite3_int64>(after)) != SQLITE_OK ||
      sqlite3_bind_int64(stmt, 3, sqlite3_int64{limit} + 1) != SQLITE_OK ||
      sqlite3_bind_int64(stmt, 4, static_cast<sqlite3_int64>(floor)) != SQLITE_OK) {
    return impl_->Fail("cannot read history");
  }
  return impl_->Decorated(channel, impl_->ReadPage(stmt, limit, /*newest_first=*/false));
}

Result<std::uint64_t> Store::HeadSeq(std::uint32_t origin) {
  sqlite3_stmt* stmt = impl_->head_seq.get();
  StmtUse use(stmt);
  if (sqlite3_bind_int64(stmt, 1, origin) != SQLITE_OK) {
    return impl_->Fail("cannot read head seq");
  }
  auto head = impl_->ReadMax(stmt, "cannot read head seq");
  if (!head.ok()) return head.error();
  return static_cast<std::uint64_t>(*head);
}

Result<ResumeCursor> Store::Heads() {
  // A skip scan of the (origin, seq) index: the next origin present, then its highest seq. Far
  // cheaper than a GROUP BY over every row of a big file, and than a seek per possible origin.
  ResumeCursor heads;
  for (std::int64_t from = 0; from <= kMaxNodeId;) {
    sqlite3_stmt* stmt = impl_->next_origin.get();
    std::int64_t origin = 0;
    {
      StmtUse use(stmt);
      if (sqlite3_bind_int64(stmt, 1, from) != SQLITE_OK) return impl_->Fail("cannot read heads");
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return impl_->Fail("cannot read heads");
      origin = sqlite3_column_int64(stmt, 0);
    }
    if (origin < from || origin > kMaxNodeId) break;
    auto head = HeadSeq(static_cast<std::uint32_t>(origin));
    if (!head.ok()) return head.error();
    if (*head > 0) heads[static_cast<std::uint32_t>(origin)] = *head;
    from = origin + 1;
  }
  return heads;
}

Result<CursorPage> Store::AfterCursor(const std::string& channel, const ResumeCursor& seen,
                                      const ResumeCursor& heads, int limit, MessageId floor) {
  CursorPage out;
  out.next = Merge(seen, heads);
  if (limit <= 0) return out;
  // Each origin's first limit + 1 events after its position: the page is the `limit` smallest ids
  // of their union, and an origin that had more than the page took is not covered to its head.
  struct Read {
    std::uint32_t origin = 0;
    std::vector<std::pair<std::uint64_t, MessageId>> events;  // (seq, id), in seq order
  };
  std::vector<Read> reads;
  std::vector<Message> all;
  for (const auto& [origin, head] : heads) {
    std::uint64_t from = PositionOf(seen, origin);
    if (head <= from) continue;
    sqlite3_stmt* stmt = impl_->channel_origin.get();
    StmtUse use(stmt);
    if (BindText(stmt, 1, channel) != SQLITE_OK ||
        sqlite3_bind_int64(stmt, 2, origin) != SQLITE_OK ||
        sqlite3_bind_int64(stmt, 3, static_cast<sqlite3_int64>(from)) != SQLITE_OK ||
        sqlite3_bind_int64(stmt, 4, static_cast<sqlite3_int64>(floor)) != SQLITE_OK ||
        sqlite3_bind_int64(stmt, 5, sqlite3_int64{limit} + 1) != SQLITE_OK) {
      return impl_->Fail("cannot read history");
    }
    Read read{origin, {}};
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return impl_->Fail("cannot read history");
      all.push_back(ReadMessage(stmt));
      read.events.emplace_back(all.back().seq, all.back().id);
    }
    if (!read.events.empty()) reads.push_back(std::move(read));
  }
  std::sort(all.begin(), all.end(), [](const Message& a, const Message& b) { return a.id < b.id; });
  if (all.size() > static_cast<std::size_t>(limit)) {
    out.page.more = true;
    all.resize(static_cast<std::size_t>(limit));
    MessageId last_id = all.back().id;
    // An origin with events left out is covered up to the last of its events before the first
    // one left out, in seq order (the same as id order, within one origin).
    for (const Read& read : reads) {
      std::uint64_t position = PositionOf(seen, read.origin);
      bool whole = true;
      for (const auto& [seq, id] : read.events) {
        if (id > last_id) {
          whole = false;
          break;
        }
        position = std::max(position, seq);
      }
      if (whole) continue;  // covered to its head, as merged above
      if (position == 0) {
        out.next.erase(read.origin);
      } else {
        out.next[read.origin] = position;
      }
    }
  }
  out.page.messages = std::move(all);
  if (Status s = impl_->state->Decorate(channel, out.page.messages); !s.ok()) return s.error();
  return out;
}

Status Store::BeginRead() {
  StmtUse use(impl_->begin_read.get());
  if (sqlite3_step(impl_->begin_read.get()) != SQLITE_DONE) return impl_->Fail("cannot begin read");
  return Ok{};
}

void Store::EndRead() {
  // Ending a read transaction cannot lose anything; a failure leaves nothing to undo either.
  if (sqlite3_get_autocommit(impl_->db.get())) return;
  StmtUse use(impl_->end_read.get());
  sqlite3_step(impl_->end_read.get());
}

Result<std::vector<Message>> Store::Range(std::uint32_t origin, std::uint64_t after_seq,
                                          int limit) {
  std::vector<Message> out;
  if (limit <= 0 || after_seq >= kMaxSqlInteger) return out;
  sqlite3_stmt* stmt = impl_->range.get();
  StmtUse use(stmt);
  if (sqlite3_bind_int64(stmt, 1, origin) != SQLITE_OK ||
      sqlite3_bind_int64(stmt, 2, static_cast<sqlite3_int64>(after_seq)) != SQLITE_OK ||
      sqlite3_bind_int64(stmt, 3, limit) != SQLITE_OK) {
    return impl_->Fail("cannot read events");
  }
  for (;;) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) return out;
    if (rc != SQLITE_ROW) return impl_->Fail("cannot read events");
    out.push_back(ReadMessage(stmt));
  }
}

Result<std::optional<Message>> Store::Get(MessageId id) {
  if (id > kMaxSqlInteger) return std::optional<Message>();
  sqlite3_stmt* stmt = impl_->get.get();
  StmtUse use(stmt);
  sqlite3_bind_int64(stmt, 1, static_cast<sqlite3_int64>(id));
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) return std::optional<Message>();
  if (rc != SQLITE_ROW) return impl_->Fail("cannot read message");
  Message m = ReadMessage(stmt);
  std::vector<Message> one{m};
  if (Status s = impl_->state->Decorate(m.channel, one); !s.ok()) return s.error();
  return std::optional<Message>(std::move(one.front()));
}

StateTables& Store::state() { return *impl_->state; }

Result<MessageId> Store::MaxId() {
  sqlite3_stmt* stmt = impl_->max_id.get();
  StmtUse use(stmt);
  auto max = impl_->ReadMax(stmt, "cannot read max id");
  if (!max.ok()) return max.error();
  return static_cast<MessageId>(*max);
}

}  // namespace chatctl
