// What the gateway's parts share: the node's configuration, its sessions and indexes, the door
// to the store, the other threads it hands work to, and the few rules every handler applies.
// The Gateway owns one and lends it to its parts (the request handlers, the admin API, the
// control effects). Everything here belongs to the gateway thread; the pointers to other threads'
// objects are only used to hand them work, which is thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/config.h"
#include "lib/ids.h"
#include "lib/protocol.h"
#include "lib/result.h"
#include "relay/committer.h"
#include "relay/control_rules.h"
#include "relay/directory.h"
#include "relay/gateway_stats.h"
#include "relay/http/http_routes.h"
#include "relay/sessions/channel_index.h"
#include "relay/sessions/outbound.h"
#include "relay/sessions/session_table.h"

namespace chatctl::relay {

class HistoryReader;
class Worker;

struct GatewayConfig {
  std::string host = "127.0.0.1";
  int port = protocol::kDefaultPort;  // 0 picks a free port (see Gateway::port())
  unsigned node_id = 0;
  std::optional<std::string> secret;  // HS256 key; none = tokens cannot be verified
  bool open_mode = false;             // trust the user name in `hello`
  MessageId id_floor = 0;             // the store's newest id; new ids go above it
  bool allow_register = false;        // self sign-up with `register`
  Limits limits;
  // The web page at / (relay/http/web_page.h): off, built in, or the files of web_root.
  bool web = true;
  std::string web_root;
  // Browser origins besides the node's own that may open the WebSocket (origin_check.h).
  std::vector<std::string> allowed_origins;
};

struct GatewayContext {
  GatewayContext(GatewayConfig c, Outbound& outbound, GatewayStats& counters);

  const GatewayConfig config;
  GatewayStats& stats;  // the Gateway's, which the outbound path counts into too
  IdGenerator ids;
  Directory directory;
  SessionTable sessions;
  Outbound& out;
  ChannelIndex channels;
  Committer commits;
  bool draining = false;     // a stop was asked for: no new work
  bus::ClusterView cluster;  // the bus's latest view

  // Set by Gateway::Run, before any callback.
  HistoryReader* reader = nullptr;
  Worker* queries = nullptr;    // store reads for the admin API and moderation
  Worker* passwords = nullptr;  // argon2id hashing and checking

  std::int64_t NowMs() const { return SystemClockMs(); }
  // The state /readyz, /metrics and /api/v1/nodes report.
  NodeSnapshot Snapshot() const;

  // Whether `s` may join, read or send to `channel`: a DM of other users, a private room it is
  // not a member of, or a room it is banned from are forbidden.
  Status CheckAccess(const Session& s, const std::string& channel) const;

  // An error reply to `s` (the request's `ref`, the error's code and message).
  void SendError(Session& s, const protocol::Ref& ref, const Error& error);
  // One of the session's sends has been answered (ack or error); a close that waited for it goes.
  void Answered(Session& s);

  // Hands the event of `plan` by `actor` to the store; `done` runs here once it is durable (or
  // not). False, with nothing submitted, when the store's queue is full or the node drains.
  bool CommitControl(const ControlPlan& plan, const std::string& actor, WriteJob::Done done);
};

}  // namespace chatctl::relay
