// The values that move between a node's threads. Each is owned by whoever holds it; nothing here
// is shared. Sessions are named by id, never by pointer: a session may be gone when a reply is.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "lib/bus/bus.h"
#include "lib/control.h"
#include "lib/message.h"
#include "lib/protocol.h"
#include "lib/result.h"
#include "lib/store.h"

namespace chatctl::relay {

using SessionId = std::uint64_t;

// gateway or bus -> store writer: a message to make durable, and whom to ack.
struct WriteJob {
  Message message;
  SessionId session = 0;  // 0: nobody to ack
  protocol::Ref ref;
  bool remote = false;  // another node's event, from the bus
  // A control event: the state its commit folded, read back by the writer for the gateway's
  // directory and the live events it sends.
  std::optional<control::UserRecord> user_after;
  std::optional<control::RoomRecord> room_after;
  std::optional<control::MessageState> message_after;
  // What to do once the commit is over (answer the request that asked for it), on the gateway
  // thread; `status` is the commit's.
  using Done = std::function<void(const WriteJob& job, const Status& status)>;
  Done done;
};

// store writer -> gateway: one group commit, durable (status ok) or failed.
struct Committed {
  std::vector<WriteJob> jobs;
  Status status = Ok{};
};

// gateway -> history reader.
struct ReadJob {
  enum class Kind { kJoinLast, kJoinSince, kJoinCursor, kHistory };
  Kind kind = Kind::kHistory;
  SessionId session = 0;
  protocol::Ref ref;
  std::string channel;
  MessageId anchor = 0;  // `since` for kJoinSince, `before` for kHistory (0 = newest)
  int limit = 0;
  MessageId floor = 0;  // a deleted room's history ends here
  ResumeCursor seen;    // kJoinCursor: what the client has of the channel
};

// history reader -> gateway.
struct ReadDone {
  ReadJob job;
  Result<Page> page = Page{};
  // Joins: every origin's head seq as of the read that made the page (its snapshot), and the
  // cursor `joined` gives (none for a truncated `since` replay, which it cannot describe).
  ResumeCursor heads;
  std::optional<ResumeCursor> cursor;
};

// bus -> gateway: the users online on another node (empty when it went away).
struct RemotePresence {
  std::uint32_t node = 0;
  bus::PresenceMap users;
};

// worker -> gateway: what to do with a job's result, run on the gateway thread (relay/worker.h).
struct Task {
  std::function<void()> run;
};

using GatewayEvent = std::variant<Committed, ReadDone, RemotePresence, bus::ClusterView, Task>;

}  // namespace chatctl::relay
