// Limits of a node. Every one is a `serve` flag and a config-file key (cmd/serve.cpp).
#pragma once

#include <cstddef>

namespace chatctl {

struct Limits {
  std::size_t max_frame_bytes = 64 * 1024;           // inbound frame; larger closes with 1009
  std::size_t max_text_chars = 4096;                 // code points in a message text
  std::size_t max_joins_per_session = 256;           // channels one session may join at once
  double rate_per_second = 200;                      // messages per second per session (0 = off)
  double rate_burst = 400;                           // token-bucket depth
  int rate_strikes_before_close = 20;                // rate_limited errors in a row before 4429
  std::size_t max_outbound_bytes = 8 * 1024 * 1024;  // queued for one client; past it 4408
  // Writes (messages, edits, control requests, the mesh's events) waiting for the store; past it a
  // frame's sends are refused `unavailable` rather than held in memory without bound.
  std::size_t max_pending_writes = 200000;
  std::size_t since_replay_max = 1000;  // messages a `join` with `since` replays
  // Join/leave events go to a room's sessions on this node only while it has at most this many:
  // beyond, each join would cost a delivery per member (N² for a room filling up). 0: no limit.
  std::size_t presence_events_max = 1000;
  int hello_timeout_seconds = 10;  // `hello` must come within this; else 4401
  int ping_interval_seconds = 30;  // WebSocket ping when a connection is idle
};

}  // namespace chatctl
