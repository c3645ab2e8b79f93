// One client connection, as the gateway sees it. Owned and touched only by the gateway thread.
// It keeps what the connection needs between callbacks: who it is, what it joined, the inbound
// message being reassembled, and the outbound lines waiting for the socket to be writable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "lib/config.h"
#include "lib/ids.h"
#include "relay/events.h"

struct lws;

namespace chatctl::relay {

// One serialized JSON object, shared by every session that receives it (fan-out serializes once).
using Line = std::shared_ptr<const std::string>;

// Messages per second with a burst: refilled lazily on each use.
class TokenBucket {
 public:
  TokenBucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}
  bool Take(std::int64_t now_ms);
  bool Peek(std::int64_t now_ms);  // would Take succeed? (takes nothing)
  bool Full(std::int64_t now_ms);  // refilled to the burst: nothing to remember
  void Give(std::int64_t now_ms);  // one token back (a charge that turned out not to count)

 private:
  void Refill(std::int64_t now_ms);
  double rate_, burst_, tokens_;
  std::int64_t last_ms_ = 0;
};

// A live message held back while its channel's history is read.
struct HeldLine {
  MessageId id = 0;
  std::uint32_t origin = 0;
  std::uint64_t seq = 0;
  Line line;
};

struct JoinedChannel {
  // While a join's history is being read, live messages wait here, so that `joined` and what
  // follows neither overlap nor leave a gap.
  bool replaying = false;
  std::vector<HeldLine> held;
  // A cursor join on a node that has applied less of some origin than the client's cursor holds
  // (it saw them on another node): per such origin, the seq up to which live messages are
  // dropped as already given. Empty almost always; an entry goes once the node is past it.
  ResumeCursor seen_elsewhere;
};

class Session {
 public:
  Session(SessionId id, lws* wsi, const Limits& limits, std::int64_t now_ms);

  const SessionId id;
  lws* const wsi;

  // Identity: empty until `welcome`.
  std::string user;
  bool admin = false;
  bool authenticated() const { return !user.empty(); }
  bool login_pending = false;  // a password is being checked or hashed
  std::string peer;            // the client's address, for the failed-login budget
  const std::int64_t hello_deadline_ms;

  std::map<std::string, JoinedChannel> channels;
  int replaying_channels = 0;       // of `channels`, those with replaying set
  int seen_elsewhere_channels = 0;  // of `channels`, those with a seen_elsewhere entry

  // Whether a live event of `channel` is one the client was given on another node (see
  // JoinedChannel::seen_elsewhere), forgetting positions the node has passed.
  bool SeenElsewhere(JoinedChannel& channel, std::uint32_t origin, std::uint64_t seq);

  // Inbound: a WebSocket message may arrive in several fragments.
  std::string rx;
  bool rx_binary = false;

  TokenBucket bucket;
  int rate_strikes = 0;  // rate_limited answers in a row
  // Sends handed to the store and not answered yet. A close waits for their answers: an ack says
  // the message is stored, and a client closed without it would not know.
  int unacked = 0;

  // Queues a line for the client. False when this pushes the queue past its byte limit: the
  // caller closes the session with 4408 (the client comes back with `since` and loses nothing).
  bool Enqueue(Line line);
  bool has_output() const { return out_head_ < out_.size(); }
  // Lines held, written or not (the outbox's own memory; tests watch it stay bounded).
  std::size_t held_lines() const { return out_.size(); }
  std::size_t outbox_capacity() const { return out_.capacity(); }
  std::size_t queued_bytes() const { return out_bytes_; }
  // Moves queued lines, joined by '\n', into `frame` after `prefix` bytes of room (LWS_PRE),
  // up to about `max_bytes` (always at least one line).
  void TakeFrame(std::size_t prefix, std::size_t max_bytes, std::vector<unsigned char>& frame);

  // A close the gateway decided on; carried out on a writable callback once what is queued is
  // written and every send is answered, or at once when `discard_output` (a client too slow to
  // read). A closing session reads no more requests.
  std::uint16_t close_code = 0;
  std::string close_reason;
  void RequestClose(std::uint16_t code, std::string reason, bool discard_output = false);
  bool closing() const { return close_code != 0; }
  // Lines still go out: open, or closing but owed answers to its sends.
  bool accepts_output() const { return !closing() || (!discarded_ && unacked > 0); }
  // The close frame may go once nothing more is owed.
  bool ready_to_close() const { return closing() && !accepts_output() && !has_output(); }

 private:
  std::size_t max_out_bytes_;
  bool discarded_ = false;  // closing with the output thrown away
  // Lines from out_head_ on are waiting. A vector, not a deque: an idle session's empty vector
  // holds no memory, where a deque allocates 576 bytes up front (of 10,000 idle connections,
  // 5.6 MB).
  std::vector<Line> out_;
  std::size_t out_head_ = 0;
  std::size_t out_bytes_ = 0;
};

}  // namespace chatctl::relay
