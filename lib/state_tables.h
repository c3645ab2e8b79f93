// The folded state of control events (lib/control.h) in SQLite tables beside the messages: users,
// rooms with their members and bans, what edits and reactions made of messages, and a count per
// channel. Owned by a Store (one connection, one thread); the writer folds, readers read.
//
// Folding is incremental while events arrive in id order, as they almost always do. An event older
// than the newest one already folded for its key (another node's, late) makes the key's state be
// rebuilt from its events in the log, so every node ends with the same state whatever the order.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/control.h"
#include "lib/message.h"
#include "lib/result.h"
#include "lib/sqlite_util.h"

namespace chatctl {

struct ChannelSummary {
  std::string name;
  std::uint64_t messages = 0;
  MessageId last_id = 0;
};

class StateTables {
 public:
  StateTables(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  // Writer, inside the open transaction, after the event's row is stored.
  Status Apply(const Message& event);
  // Writer, inside the open transaction: `count` more messages stored in a channel.
  Status CountMessages(const std::string& channel, std::uint64_t count, MessageId last_id);

  Result<std::optional<control::UserRecord>> User(const std::string& name);
  Result<control::RoomRecord> Room(const std::string& name);  // `exists` false when never made
  Result<std::optional<control::MessageState>> State(MessageId id);
  // Users by name from `prefix`, after `after`, at most `limit`; deleted ones left out.
  Result<std::vector<control::UserRecord>> Users(const std::string& prefix,
                                                 const std::string& after, int limit);
  // Users disabled, deleted or banned at some time, or with tokens refused from before a time:
  // what a gateway must check at hello.
  Result<std::vector<control::UserRecord>> RestrictedUsers();
  Result<std::vector<control::RoomRecord>> Rooms();  // every room any event touched
  Result<std::vector<ChannelSummary>> Channels(const std::string& prefix, int limit);
  Result<ChannelSummary> Channel(const std::string& name);
  // Attaches to each message of a page what edits, deletes and reactions made of it.
  Status Decorate(const std::string& channel, std::vector<Message>& messages);

 private:
  Result<sqlite3_stmt*> Statement(const char* sql);
  Error Fail(const std::string& what) const;
  Result<std::vector<Message>> EventsOf(const std::string& key);
  Result<std::vector<control::UserRecord>> StepUsers(sqlite3_stmt* stmt);  // every row it yields
  Status SaveUser(const control::UserRecord& user);
  Status SaveRoom(const control::RoomRecord& before, const control::RoomRecord& after);
  Status SaveState(const control::MessageState& state);
  Result<control::RoomRecord> LoadRoom(const std::string& name);

  sqlite3* db_;  // the Store's connection, not owned
  std::string path_;
  std::map<const char*, sqlite::Stmt> statements_;  // prepared on first use, kept
};

}  // namespace chatctl
