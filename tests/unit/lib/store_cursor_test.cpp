// The store's reads for resume cursors against a real SQLite file: a channel's events after each
// origin's position in id order whatever the origins' clocks did to their ids, the cursor a page
// brings the reader to (whole or cut), and the heads read by a skip scan.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "lib/store.h"
#include "unit/relay/temp_store.h"

namespace chatctl {
namespace {

using relay::testing::OpenReader;
using relay::testing::OpenWriter;
using relay::testing::TempDir;

Message Event(MessageId id, const std::string& channel, std::uint32_t origin, std::uint64_t seq) {
  Message m;
  m.id = id;
  m.channel = channel;
  m.from = "u";
  m.text = "t" + std::to_string(id);
  m.ts = 1700000000000;
  m.origin = origin;
  m.seq = seq;
  return m;
}

std::vector<MessageId> Ids(const CursorPage& read) {
  std::vector<MessageId> ids;
  for (const auto& m : read.page.messages) ids.push_back(m.id);
  return ids;
}

CursorPage Read(Store& store, const std::string& channel, const ResumeCursor& seen, int limit) {
  REQUIRE(store.BeginRead().ok());
  auto heads = store.Heads();
  REQUIRE(heads.ok());
  auto read = store.AfterCursor(channel, seen, *heads, limit);
  store.EndRead();
  INFO((read.ok() ? std::string() : read.error().message));
  REQUIRE(read.ok());
  return std::move(read.value());
}

// Origin 1's clock runs ahead: its ids are far above origin 2's of the same moment. Origin 2's
// events 2 and 3 came after origin 1's event 2, yet their ids are lower.
std::unique_ptr<Store> SkewedStore(const TempDir& dir) {
  auto store = OpenWriter(dir.File("chat.db"));
  REQUIRE(
      store
          ->Append({Event(1000, "news", 1, 1), Event(100, "news", 2, 1), Event(1001, "news", 1, 2),
                    Event(101, "news", 2, 2), Event(102, "other", 2, 3), Event(103, "news", 2, 4),
                    Event(104, "@bob", 2, 5)})
          .ok());
  return store;
}

}  // namespace

TEST_CASE("a cursor replays each origin's events after its position even below the newest id",
          "[store][cursor]") {
  TempDir dir;
  auto writer = SkewedStore(dir);
  auto reader = OpenReader(dir.File("chat.db"));
  // Seen: origin 1 up to 2 (id 1001, the newest id) and origin 2 up to 1 (id 100).
  CursorPage read = Read(*reader, "news", {{1, 2}, {2, 1}}, 100);
  CHECK(Ids(read) == std::vector<MessageId>{101, 103});  // a `since` of 1001 would give none
  CHECK_FALSE(read.page.more);
  CHECK(read.next == ResumeCursor{{1, 2}, {2, 5}});  // the heads: everything up to them is given
}

TEST_CASE("a cursor that names no origin replays the whole channel in id order",
          "[store][cursor]") {
  TempDir dir;
  auto writer = SkewedStore(dir);
  CursorPage read = Read(*writer, "news", {}, 100);
  CHECK(Ids(read) == std::vector<MessageId>{100, 101, 103, 1000, 1001});
  CHECK(read.next == ResumeCursor{{1, 2}, {2, 5}});
}

TEST_CASE("a cut page's cursor covers exactly the page, so the next read goes on from it",
          "[store][cursor]") {
  TempDir dir;
  auto writer = SkewedStore(dir);
  CursorPage first = Read(*writer, "news", {}, 2);
  CHECK(Ids(first) == std::vector<MessageId>{100, 101});
  CHECK(first.page.more);
  CHECK(first.next == ResumeCursor{{2, 2}});  // nothing of origin 1 yet
  CursorPage second = Read(*writer, "news", first.next, 2);
  CHECK(Ids(second) == std::vector<MessageId>{103, 1000});
  CHECK(second.page.more);
  CHECK(second.next == ResumeCursor{{1, 1}, {2, 5}});  // origin 2 is all given
  CursorPage third = Read(*writer, "news", second.next, 2);
  CHECK(Ids(third) == std::vector<MessageId>{1001});
  CHECK_FALSE(third.page.more);
  CHECK(third.next == ResumeCursor{{1, 2}, {2, 5}});
}

TEST_CASE(
    "a cursor ahead of this store's heads, or naming unknown origins, replays nothing of them",
    "[store][cursor]") {
  TempDir dir;
  auto writer = SkewedStore(dir);
  CursorPage read = Read(*writer, "news", {{1, 50}, {7, 3}}, 100);
  CHECK(Ids(read) == std::vector<MessageId>{100, 101, 103});
  CHECK(read.next == ResumeCursor{{1, 50}, {2, 5}, {7, 3}});
}

TEST_CASE("heads are read origin by origin, skipping the ids no node has", "[store][cursor]") {
  TempDir dir;
  auto writer = OpenWriter(dir.File("chat.db"));
  REQUIRE(writer
              ->Append({Event(1, "a", 0, 1), Event(2, "a", 0, 2), Event(3, "a", 513, 1),
                        Event(4, "a", 1023, 7)})
              .ok());
  auto heads = writer->Heads();
  REQUIRE(heads.ok());
  CHECK(*heads == ResumeCursor{{0, 2}, {513, 1}, {1023, 7}});
}

TEST_CASE("the per-origin replay is served by the (channel, origin, seq) index",
          "[store][cursor]") {
  TempDir dir;
  auto writer = OpenWriter(dir.File("chat.db"));
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(dir.File("chat.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
          SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "EXPLAIN QUERY PLAN SELECT id FROM messages WHERE channel = 'a' AND "
                             "origin = 1 AND seq > 5 AND id > 0 ORDER BY seq ASC LIMIT 10",
                             -1, &stmt, nullptr) == SQLITE_OK);
  std::string plan;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
    plan += '\n';
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  CHECK_THAT(plan, Catch::Contains("messages_by_channel_origin"));
  CHECK_THAT(plan, !Catch::Contains("TEMP B-TREE"));
}

}  // namespace chatctl
