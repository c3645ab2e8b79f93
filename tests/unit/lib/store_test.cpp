// The history store against real SQLite files in a fresh temp directory: paging, idempotent
// appends, a reader beside the writer, reopening, and the files it must refuse.
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "lib/store.h"

namespace chatctl {
namespace {

// A directory of our own under /tmp, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/chatctl-store-test-XXXXXX";
    if (mkdtemp(name) == nullptr) FAIL("mkdtemp failed");
    path_ = name;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

Message Make(MessageId id, const std::string& channel, std::uint64_t seq = 0,
             std::uint32_t origin = 1) {
  Message m;
  m.id = id;
  m.channel = channel;
  m.from = "user" + std::to_string(id % 7);
  m.text = "message " + std::to_string(id);
  m.ts = 1700000000000 + static_cast<std::int64_t>(id);
  m.origin = origin;
  m.seq = seq == 0 ? id : seq;
  return m;
}

std::unique_ptr<Store> Writer(const std::string& path, Durability d = Durability::kNormal) {
  auto store = Store::OpenWriter(path, d);
  INFO((store.ok() ? std::string() : store.error().message));
  REQUIRE(store.ok());
  return std::move(store.value());
}

std::unique_ptr<Store> Reader(const std::string& path) {
  auto store = Store::OpenReader(path);
  INFO((store.ok() ? std::string() : store.error().message));
  REQUIRE(store.ok());
  return std::move(store.value());
}

void Append(Store& store, const std::vector<Message>& messages) {
  Status status = store.Append(messages);
  INFO((status.ok() ? std::string() : status.error().message));
  REQUIRE(status.ok());
}

Page Get(Result<Page> page) {
  INFO((page.ok() ? std::string() : page.error().message));
  REQUIRE(page.ok());
  return std::move(page.value());
}

std::vector<MessageId> Ids(const Page& page) {
  std::vector<MessageId> ids;
  for (const auto& m : page.messages) ids.push_back(m.id);
  return ids;
}

std::vector<MessageId> Range(MessageId first, MessageId last) {
  std::vector<MessageId> ids;
  for (MessageId id = first; id <= last; ++id) ids.push_back(id);
  return ids;
}

// Runs SQL on the file through a connection of the test's own, outside the Store.
void RawSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open(path.c_str(), &db);
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  INFO(sqlite3_errmsg(db));
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

std::string RawText(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("a store hands back the newest messages of a channel oldest first", "[store]") {
  TempDir dir;
  auto store = Writer(dir.File("chat.db"));
  std::vector<Message> batch;
  for (MessageId id = 1; id <= 10; ++id) batch.push_back(Make(id, "general"));
  // Any valid UTF-8, an embedded NUL included, comes back byte for byte.
  batch[9].text = std::string("h\xC3\xA9llo \xF0\x9F\x91\x8B\0after nul", 20);
  batch[9].from = "\xE6\x97\xA5\xE6\x9C\xAC";
  batch[9].ts = -5;  // before the epoch; ts is whatever the accepting node said
  batch[9].origin = 1023;
  batch[9].seq = 77;
  Append(*store, batch);

  Page page = Get(store->Newest("general", 3));
  CHECK(Ids(page) == std::vector<MessageId>{8, 9, 10});
  CHECK(page.more);
  const Message& last = page.messages.back();
  CHECK(last.channel == "general");
  CHECK(last.from == batch[9].from);
  CHECK(last.text == batch[9].text);
  CHECK(last.text.size() == 20);
  CHECK(last.ts == -5);
  CHECK(last.origin == 1023);
  CHECK(last.seq == 77);
  CHECK(page.messages.front().text == "message 8");
  CHECK(page.messages.front().from == "user1");
  CHECK(page.messages.front().ts == 1700000000008);

  page = Get(store->Newest("general", 10));
  CHECK(Ids(page) == Range(1, 10));
  CHECK_FALSE(page.more);  // exactly the limit: nothing older lies beyond

  page = Get(store->Newest("general", 1000));
  CHECK(Ids(page) == Range(1, 10));
  CHECK_FALSE(page.more);

  page = Get(store->Newest("nobody-here", 5));
  CHECK(page.messages.empty());
  CHECK_FALSE(page.more);
}

TEST_CASE("paging back with Before covers every message of a channel once, in order", "[store]") {
  TempDir dir;
  auto store = Writer(dir.File("chat.db"));
  std::vector<Message> batch;
  std::vector<MessageId> expected;
  for (MessageId id = 1; id <= 1000; ++id) {
    // Three channels interleaved unevenly, so pages of one channel skip over the others' ids.
    std::string channel = id % 3 == 0 ? "a" : (id % 5 == 0 ? "b" : "c");
    if (channel == "a") expected.push_back(id);
    batch.push_back(Make(id, channel));
  }
  Append(*store, batch);

  for (int page_size : {1, 7, 333, 334}) {
    INFO("page size " << page_size);
    std::vector<MessageId> seen;
    Page page = Get(store->Newest("a", page_size));
    int pages = 1;
    seen = Ids(page);
    while (page.more) {
      REQUIRE(!page.messages.empty());
      CHECK(page.messages.size() == static_cast<std::size_t>(page_size));
      page = Get(store->Before("a", page.messages.front().id, page_size));
      std::vector<MessageId> ids = Ids(page);
      REQUIRE(std::is_sorted(ids.begin(), ids.end()));
      seen.insert(seen.begin(), ids.begin(), ids.end());
      REQUIRE(++pages <= 1000);
    }
    CHECK(seen == expected);
    CHECK(pages == static_cast<int>((expected.size() + page_size - 1) / page_size));
  }

  // Before the oldest message there is nothing; before an id that is not stored works as well.
  Page none = Get(store->Before("a", expected.front(), 10));
  CHECK(none.messages.empty());
  CHECK_FALSE(none.more);
  Page around = Get(store->Before("a", 10, 2));  // ids of "a" below 10: 3, 6, 9
  CHECK(Ids(around) == std::vector<MessageId>{6, 9});
  CHECK(around.more);
}

TEST_CASE("After hands back what follows an id, oldest first, and says when more remain",
          "[store]") {
  TempDir dir;
  auto store = Writer(dir.File("chat.db"));
  std::vector<Message> batch;
  for (MessageId id = 10; id <= 100; id += 10) batch.push_back(Make(id, "general"));
  Append(*store, batch);

  Page page = Get(store->After("general", 0, 4));
  CHECK(Ids(page) == std::vector<MessageId>{10, 20, 30, 40});
  CHECK(page.more);

  page = Get(store->After("general", 40, 4));
  CHECK(Ids(page) == std::vector<MessageId>{50, 60, 70, 80});
  CHECK(page.more);

  page = Get(store->After("general", 80, 4));
  CHECK(Ids(page) == std::vector<MessageId>{90, 100});
  CHECK_FALSE(page.more);

  page = Get(store->After("general", 55, 5));  // an anchor that is not itself stored
  CHECK(Ids(page) == std::vector<MessageId>{60, 70, 80, 90, 100});
  CHECK_FALSE(page.more);  // exactly the limit

  page = Get(store->After("general", 100, 4));
  CHECK(page.messages.empty());
  CHECK_FALSE(page.more);
}

TEST_CASE("messages of one channel never show up in another", "[store]") {
  TempDir dir;
  auto store = Writer(dir.File("chat.db"));
  // Names that differ only by case, a suffix or trailing space must stay apart.
  const std::vector<std::string> channels = {"dev", "Dev", "dev-ops", "dev "};
  std::vector<Message> batch;
  for (MessageId id = 1; id <= 40; ++id) batch.push_back(Make(id, channels[id % 4]));
  Append(*store, batch);

  for (std::size_t c = 0; c < channels.size(); ++c) {
    INFO("channel '" << channels[c] << "'");
    std::vector<MessageId> expected;
    for (MessageId id = 1; id <= 40; ++id) {
      if (id % 4 == c) expected.push_back(id);
    }
    Page newest = Get(store->Newest(channels[c], 100));
    CHECK(Ids(newest) == expected);
    Page after = Get(store->After(channels[c], 0, 100));
    CHECK(Ids(after) == expected);
    Page before = Get(store->Before(channels[c], 41, 100));
    CHECK(Ids(before) == expected);
    for (const auto& m : newest.messages) CHECK(m.channel == channels[c]);
  }
}

TEST_CASE("appending the same message twice stores it once", "[store]") {
  TempDir dir;
  auto store = Writer(dir.File("chat.db"));
  Append(*store, {Make(1, "general"), Make(2, "general")});
  // The same events again, one of them twice in one batch, beside a new one.
  Message again = Make(2, "general");
  again.text = "a replay that differs is still the stored event";
  Append(*store, {Make(1, "general"), again, Make(2, "general"), Make(3, "general")});

  Page page = Get(store->Newest("general", 10));
  CHECK(Ids(page) == std::vector<MessageId>{1, 2, 3});
  CHECK(page.messages[1].text == "message 2");  // the first one stored wins
  auto head = store->HeadSeq(1);
  REQUIRE(head.ok());
  CHECK(*head == 3);
}

TEST_CASE("an event number already stored under another id fails the whole batch", "[store]") {
  TempDir dir;
  auto store = Writer(dir.File("chat.db"));
  Append(*store, {Make(1, "general", /*seq=*/1)});

  // Skipping it quietly would ack a message that was never stored.
  Status status = store->Append({Make(2, "general", 2), Make(3, "general", /*seq=*/1)});
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == "conflict");
  CHECK_THAT(status.error().message, Catch::Contains("origin 1, seq 1"));
  CHECK_THAT(status.error().message, Catch::Contains(dir.File("chat.db")));

  Page page = Get(store->Newest("general", 10));
  CHECK(Ids(page) == std::vector<MessageId>{1});  // message 2 was rolled back with the batch

  Append(*store, {Make(2, "general", 2)});  // the store still works afterwards
  CHECK(Ids(Get(store->Newest("general", 10))) == std::vector<MessageId>{1, 2});
}

TEST_CASE("Range hands back one origin's events by seq, and Heads each origin's newest seq",
          "[store]") {
  TempDir dir;
  auto store = Writer(dir.File("range.db"));
  std::vector<Message> batch;
  for (std::uint64_t seq = 1; seq <= 30; ++seq) {
    batch.push_back(Make(1000 + seq, "room", seq, /*origin=*/2));   // node 2's events...
    batch.push_back(Make(5000 + seq, "other", seq, /*origin=*/7));  // ...interleaved with 7's
  }
  Append(*store, batch);

  auto first = store->Range(2, 0, 10);
  REQUIRE(first.ok());
  REQUIRE(first->size() == 10);
  CHECK(first->front().seq == 1);
  CHECK(first->back().seq == 10);
  for (const auto& m : *first) CHECK(m.origin == 2);
  auto rest = store->Range(2, 25, 100);
  REQUIRE(rest.ok());
  REQUIRE(rest->size() == 5);
  CHECK(rest->front().id == 1026);
  auto none = store->Range(3, 0, 100);
  REQUIRE(none.ok());
  CHECK(none->empty());

  auto heads = store->Heads();
  REQUIRE(heads.ok());
  CHECK(*heads == std::map<std::uint32_t, std::uint64_t>{{2, 30}, {7, 30}});
}

TEST_CASE("an empty batch and a non-positive limit do nothing", "[store]") {
  TempDir dir;
  auto store = Writer(dir.File("chat.db"));
  Append(*store, {});
  auto max = store->MaxId();
  REQUIRE(max.ok());
  CHECK(*max == 0);

  Append(*store, {Make(1, "general"), Make(2, "general")});
  for (int limit : {0, -1, std::numeric_limits<int>::min()}) {
    INFO("limit " << limit);
    Page newest = Get(store->Newest("general", limit));
    CHECK(newest.messages.empty());
    Page before = Get(store->Before("general", 3, limit));
    CHECK(before.messages.empty());
    Page after = Get(store->After("general", 0, limit));
    CHECK(after.messages.empty());
  }
  // The largest limit is no overflow either.
  Page all = Get(store->Newest("general", std::numeric_limits<int>::max()));
  CHECK(Ids(all) == std::vector<MessageId>{1, 2});
  CHECK_FALSE(all.more);
}

TEST_CASE("a reader opened on the same file sees what the writer has committed", "[store]") {
  TempDir dir;
  auto writer = Writer(dir.File("chat.db"));
  auto reader = Reader(dir.File("chat.db"));

  Page page = Get(reader->Newest("general", 10));
  CHECK(page.messages.empty());

  Append(*writer, {Make(1, "general"), Make(2, "general")});
  page = Get(reader->Newest("general", 10));
  CHECK(Ids(page) == std::vector<MessageId>{1, 2});

  // Each read takes a fresh snapshot: a later commit shows up on the next read.
  Append(*writer, {Make(3, "general", 3, /*origin=*/9)});
  page = Get(reader->After("general", 2, 10));
  CHECK(Ids(page) == std::vector<MessageId>{3});
  page = Get(reader->Before("general", 3, 10));
  CHECK(Ids(page) == std::vector<MessageId>{1, 2});
  auto max = reader->MaxId();
  REQUIRE(max.ok());
  CHECK(*max == 3);
  auto head = reader->HeadSeq(9);
  REQUIRE(head.ok());
  CHECK(*head == 3);

  // A reader cannot write, and says so rather than failing somewhere deeper.
  Status status = reader->Append({Make(4, "general")});
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(status.error().message, Catch::Contains("read-only"));
  CHECK(Ids(Get(writer->Newest("general", 10))) == std::vector<MessageId>{1, 2, 3});
}

TEST_CASE("a reopened writer keeps the messages, the highest id and each origin's head seq",
          "[store]") {
  TempDir dir;
  const std::string path = dir.File("chat.db");
  {
    auto store = Writer(path);
    auto max = store->MaxId();
    REQUIRE(max.ok());
    CHECK(*max == 0);
    auto head = store->HeadSeq(1);
    REQUIRE(head.ok());
    CHECK(*head == 0);
    // Origin 1's own events, and origin 2's applied from the mesh with larger ids.
    Append(*store, {Make(100, "general", 1, 1), Make(101, "general", 2, 1),
                    Make(500, "random", 41, 2), Make(102, "general", 3, 1)});
    Append(*store, {Make(600, "random", 42, 2)});
  }
  for (Durability d : {Durability::kNormal, Durability::kFull}) {
    auto store = Writer(path, d);
    auto max = store->MaxId();
    REQUIRE(max.ok());
    CHECK(*max == 600);
    auto head1 = store->HeadSeq(1);
    auto head2 = store->HeadSeq(2);
    auto head3 = store->HeadSeq(3);
    REQUIRE((head1.ok() && head2.ok() && head3.ok()));
    CHECK(*head1 == 3);
    CHECK(*head2 == 42);
    CHECK(*head3 == 0);
    CHECK(Ids(Get(store->Newest("general", 10))) == std::vector<MessageId>{100, 101, 102});
    CHECK(Ids(Get(store->Newest("random", 10))) == std::vector<MessageId>{500, 600});
  }
  // A reader alone on the closed file reads the same.
  auto reader = Reader(path);
  CHECK(Ids(Get(reader->Newest("random", 10))) == std::vector<MessageId>{500, 600});
}

TEST_CASE("the store file is in WAL mode at schema version 4", "[store]") {
  TempDir dir;
  const std::string path = dir.File("chat.db");
  { auto store = Writer(path); }
  // Both persist in the file, so another connection sees them.
  CHECK(RawText(path, "PRAGMA journal_mode") == "wal");
  CHECK(RawText(path, "PRAGMA user_version") == "4");
  CHECK(RawText(path,
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name NOT LIKE "
                "'sqlite_%'") == "4");  // three on messages, one on message_state
}

TEST_CASE("opening a store in a missing directory fails with a clear error", "[store]") {
  TempDir dir;
  const std::string path = dir.File("missing/chat.db");
  auto writer = Store::OpenWriter(path, Durability::kNormal);
  REQUIRE_FALSE(writer.ok());
  CHECK(writer.error().code == "unavailable");
  CHECK_THAT(writer.error().message, Catch::Contains(path));
  CHECK_THAT(writer.error().message, Catch::Contains("unable to open database file"));

  auto reader = Store::OpenReader(path);
  REQUIRE_FALSE(reader.ok());
  CHECK_THAT(reader.error().message, Catch::Contains(path));
  CHECK_FALSE(std::filesystem::exists(dir.File("missing")));
}

TEST_CASE("opening a file that is not a database fails and leaves the file alone", "[store]") {
  TempDir dir;
  const std::string path = dir.File("notes.txt");
  const std::string content(8192, 'x');
  std::ofstream(path, std::ios::binary) << content;

  auto writer = Store::OpenWriter(path, Durability::kNormal);
  REQUIRE_FALSE(writer.ok());
  CHECK(writer.error().code == "unavailable");
  CHECK_THAT(writer.error().message, Catch::Contains(path));
  CHECK_THAT(writer.error().message, Catch::Contains("file is not a database"));
  auto reader = Store::OpenReader(path);
  REQUIRE_FALSE(reader.ok());
  CHECK_THAT(reader.error().message, Catch::Contains("file is not a database"));
  CHECK(ReadFile(path) == content);
}

TEST_CASE("a SQLite file that belongs to something else is not taken over", "[store]") {
  TempDir dir;
  const std::string path = dir.File("other.db");
  RawSql(path, "CREATE TABLE accounts (name TEXT)");

  auto writer = Store::OpenWriter(path, Durability::kNormal);
  REQUIRE_FALSE(writer.ok());
  CHECK_THAT(writer.error().message, Catch::Contains("not a chatctl store"));
  CHECK(RawText(path, "SELECT group_concat(name) FROM sqlite_master") == "accounts");
  CHECK(RawText(path, "PRAGMA user_version") == "0");
}

TEST_CASE("a store written by a newer chatctl is refused", "[store]") {
  TempDir dir;
  const std::string path = dir.File("chat.db");
  { auto store = Writer(path); }
  RawSql(path, "PRAGMA user_version = 5");

  auto writer = Store::OpenWriter(path, Durability::kNormal);
  REQUIRE_FALSE(writer.ok());
  CHECK(writer.error().code == "unavailable");
  CHECK_THAT(writer.error().message, Catch::Contains(path));
  CHECK_THAT(writer.error().message, Catch::Contains("schema version 5 is newer"));
  auto reader = Store::OpenReader(path);
  REQUIRE_FALSE(reader.ok());
  CHECK_THAT(reader.error().message, Catch::Contains("schema version 5 is newer"));
  CHECK(RawText(path, "PRAGMA user_version") == "5");  // refused, not downgraded
}

TEST_CASE("a reader refuses a file its writer has not set up", "[store]") {
  TempDir dir;
  auto absent = Store::OpenReader(dir.File("absent.db"));
  REQUIRE_FALSE(absent.ok());
  CHECK_THAT(absent.error().message, Catch::Contains(dir.File("absent.db")));
  CHECK_FALSE(std::filesystem::exists(dir.File("absent.db")));  // a reader creates nothing

  const std::string empty = dir.File("empty.db");
  std::ofstream(empty).close();
  auto unmigrated = Store::OpenReader(empty);
  REQUIRE_FALSE(unmigrated.ok());
  CHECK_THAT(unmigrated.error().message, Catch::Contains("open the writer first"));

  // Once the writer has opened it, the same file reads fine.
  auto writer = Writer(empty);
  auto reader = Reader(empty);
  CHECK(Get(reader->Newest("general", 1)).messages.empty());
}

TEST_CASE("a commit that cannot be written leaves nothing behind and the store keeps working",
          "[store]") {
  TempDir dir;
  const std::string path = dir.File("chat.db");
  auto store = Writer(path);
  Append(*store, {Make(1, "general")});

  // Cap the size of files this process may write: the batch below cannot fit in the WAL. The
  // signal that would kill us at the cap is ignored, so the write fails with an error instead.
  struct rlimit saved;
  REQUIRE(getrlimit(RLIMIT_FSIZE, &saved) == 0);
  auto saved_handler = signal(SIGXFSZ, SIG_IGN);
  struct rlimit capped = saved;
  capped.rlim_cur = 64 * 1024;
  REQUIRE(setrlimit(RLIMIT_FSIZE, &capped) == 0);
  std::vector<Message> big;
  for (MessageId id = 2; id <= 200; ++id) {
    big.push_back(Make(id, "general"));
    big.back().text = std::string(4096, 'z');
  }
  Status status = store->Append(big);
  setrlimit(RLIMIT_FSIZE, &saved);
  signal(SIGXFSZ, saved_handler);

  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == "unavailable");
  CHECK_THAT(status.error().message, Catch::Contains(path));
  Page page = Get(store->Newest("general", 1000));
  CHECK(Ids(page) == std::vector<MessageId>{1});

  Append(*store, big);
  page = Get(store->Newest("general", 1000));
  CHECK(page.messages.size() == 200);
  auto reader = Reader(path);
  CHECK(Get(reader->Newest("general", 1000)).messages.size() == 200);
}

TEST_CASE(
    "with auto-checkpoint off, a checkpointer connection copies the WAL and the writer restarts it",
    "[store][checkpoint]") {
  TempDir dir;
  std::string path = dir.File("h.db");
  auto writer = Writer(path);
  REQUIRE(writer->DisableAutoCheckpoint().ok());
  // 3,000 commits of one message: SQLite alone would have checkpointed (every 1000 frames).
  for (MessageId id = 1; id <= 3000; ++id) REQUIRE(writer->Append({Make(id, "general")}).ok());
  int frames = writer->WalFrames();
  CHECK(frames > 3000);

  auto opened = Store::OpenCheckpointer(path);
  REQUIRE(opened.ok());
  auto copied = opened.value()->Checkpoint();
  REQUIRE(copied.ok());
  CHECK(copied->wal_frames == frames);
  CHECK(copied->checkpointed == frames);

  // All copied: the next commit starts the WAL over from its first frame.
  REQUIRE(writer->Append({Make(3001, "general")}).ok());
  CHECK(writer->WalFrames() < 10);
  auto page = writer->Newest("general", 2);
  REQUIRE(page.ok());
  REQUIRE(page->messages.size() == 2);
  CHECK(page->messages[1].id == 3001);
}

}  // namespace chatctl
