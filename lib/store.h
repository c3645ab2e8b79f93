// The history: one SQLite file per node, in WAL mode. A Store is one connection; it is owned by
// one thread and is not thread-safe. The node opens one writer (relay/store_writer) and one or more
// read-only readers (relay/history_reader) on the same file.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/cursor.h"
#include "lib/message.h"
#include "lib/result.h"

namespace chatctl {

class StateTables;  // lib/state_tables.h

enum class Durability { kNormal, kFull };  // synchronous=NORMAL (process crash) | FULL (power loss)

// What a checkpoint found and did, in WAL frames (pages).
struct CheckpointResult {
  int wal_frames = 0;    // frames in the WAL
  int checkpointed = 0;  // of those, now copied into the database file
};

struct Page {
  std::vector<Message> messages;  // oldest first
  bool more = false;              // more messages lie beyond this page
};

// A page read after a resume cursor, and the cursor that page brings the reader to.
struct CursorPage {
  Page page;
  ResumeCursor next;
};

class Store {
 public:
  // Opens (creating when writable) the file and migrates the schema forward (PRAGMA user_version).
  static Result<std::unique_ptr<Store>> OpenWriter(const std::string& path, Durability durability);
  static Result<std::unique_ptr<Store>> OpenReader(const std::string& path);
  // A connection that only checkpoints (for a writer opened with automatic checkpoints off).
  static Result<std::unique_ptr<Store>> OpenCheckpointer(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Inserts the messages in one transaction (group commit). A message whose id is already stored
  // is skipped (idempotent). After success every message is durable.
  Status Append(const std::vector<Message>& messages);

  // Writer: stop checkpointing on commit. SQLite's default copies the WAL into the database every
  // 1000 pages inside a commit: at 1,000 messages/s a stall of milliseconds a few times a second.
  // The caller then runs Checkpoint() on another connection and thread (relay/checkpointer.h).
  Status DisableAutoCheckpoint();
  // Writer, with auto-checkpoint off: frames in the WAL after the last commit.
  int WalFrames() const;
  // Copies what it can of the WAL into the database without blocking the writer or readers
  // (PASSIVE); with `wait`, blocks new writes until the WAL is all copied and restarts it
  // (RESTART), a backstop for a WAL that PASSIVE cannot keep small.
  Result<CheckpointResult> Checkpoint(bool wait = false);

  // History reads leave out every message at or below `floor` (a deleted room's old history).
  // Each message carries what edits, deletes and reactions made of it (Message::state).
  // The newest `limit` messages of a channel, oldest first; `more` when older ones exist.
  Result<Page> Newest(const std::string& channel, int limit, MessageId floor = 0);
  // The `limit` messages just before `before`, oldest first; `more` when older ones exist.
  Result<Page> Before(const std::string& channel, MessageId before, int limit, MessageId floor = 0);
  // The first `limit` messages after `after`, oldest first; `more` when newer ones exist.
  Result<Page> After(const std::string& channel, MessageId after, int limit, MessageId floor = 0);
  // The channel's events that `seen` does not cover (per origin, seq above its position; all of an
  // origin it does not name), oldest id first, at most `limit`; `more` when some are left out.
  // `heads` is Heads() as of the same read (inside BeginRead/EndRead). `next` is `seen` advanced
  // to what the page covers: to the head of each origin whose events all fit, else to the last
  // of its events in the page. Each origin is one range of the (channel, origin, seq) index.
  Result<CursorPage> AfterCursor(const std::string& channel, const ResumeCursor& seen,
                                 const ResumeCursor& heads, int limit, MessageId floor = 0);
  // Reads between these two see one state of the file (a SQLite read transaction): a replay and
  // the heads it is exact against. Not on a connection that is writing.
  Status BeginRead();
  void EndRead();
  // One event by id.
  Result<std::optional<Message>> Get(MessageId id);
  // Users, rooms, message states and channel counts: the folded control events.
  StateTables& state();

  // The highest event seq stored for an origin node (0 when none); what a restarted node counts on
  // from.
  Result<std::uint64_t> HeadSeq(std::uint32_t origin);
  // HeadSeq of every origin that has events here: two index seeks per origin present.
  Result<ResumeCursor> Heads();
  // Events of one origin with seq above `after_seq`, in seq order, at most `limit`: what a peer
  // that missed them asks for.
  Result<std::vector<Message>> Range(std::uint32_t origin, std::uint64_t after_seq, int limit);
  // The highest id this node has stored (0 when none), so a restarted node's ids stay above it.
  Result<MessageId> MaxId();

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace chatctl
