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

#include "lib/message.h"
#include "lib/result.h"

namespace chatctl {

enum class Durability { kNormal, kFull };  // synchronous=NORMAL (process crash) | FULL (power loss)

struct Page {
  std::vector<Message> messages;  // oldest first
  bool more = false;              // more messages lie beyond this page
};

class Store {
 public:
  // Opens (creating when writable) the file and migrates the schema forward (PRAGMA user_version).
  static Result<std::unique_ptr<Store>> OpenWriter(const std::string& path, Durability durability);
  static Result<std::unique_ptr<Store>> OpenReader(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Inserts the messages in one transaction (group commit). A message whose id is already stored
  // is skipped (idempotent). After success every message is durable.
  Status Append(const std::vector<Message>& messages);

  // The newest `limit` messages of a channel, oldest first; `more` when older ones exist.
  Result<Page> Newest(const std::string& channel, int limit);
  // The `limit` messages just before `before`, oldest first; `more` when older ones exist.
  Result<Page> Before(const std::string& channel, MessageId before, int limit);
  // The first `limit` messages after `after`, oldest first; `more` when newer ones exist.
  Result<Page> After(const std::string& channel, MessageId after, int limit);

  // The highest event seq stored for an origin node (0 when none); what a restarted node counts on
  // from.
  Result<std::uint64_t> HeadSeq(std::uint32_t origin);
  // HeadSeq of every origin that has events here.
  Result<std::map<std::uint32_t, std::uint64_t>> Heads();
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
