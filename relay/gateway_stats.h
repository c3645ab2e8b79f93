// The gateway's counters, for /metrics and the admin API's stats. Written by the gateway thread
// only; HTTP answers read a copy taken on that thread.
#pragma once

#include <cstdint>

namespace chatctl::relay {

struct GatewayStats {
  std::uint64_t sessions_opened = 0;
  std::uint64_t messages_accepted = 0;
  std::uint64_t deliveries = 0;
  std::uint64_t store_errors = 0;
  std::uint64_t slow_closes = 0;
  std::uint64_t presence_events_skipped = 0;  // joins and leaves in rooms over the limit
  std::uint64_t messages_replicated = 0;      // other nodes' events applied here
  std::uint64_t logins = 0;                   // password logins and sign-ups welcomed
  std::uint64_t logins_failed = 0;            // wrong user name or password
  std::uint64_t logins_throttled = 0;         // refused: too many failures from one address
  std::uint64_t control_events = 0;           // accounts, rooms, moderation, edits (any node's)
};

}  // namespace chatctl::relay
