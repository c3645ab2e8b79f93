// What `chatctl bench` asks of a cluster: who connects where, and what they publish.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "lib/client/url.h"

namespace chatctl::loadgen {

struct LoadPlan {
  std::vector<WsUrl> urls;  // publishers on the first; subscribers spread over all
  std::string dialect = "chatctl";
  std::string token;  // empty: open mode, each connection says its own user name
  std::string user_prefix = "bench";
  int publishers = 1;
  int subscribers = 50;
  int channels = 1;            // connection i uses channel i % channels
  std::uint64_t messages = 0;  // in total; 0 means publish for `duration`
  std::chrono::nanoseconds duration{0};
  double rate = 0;        // messages/s in total; 0: as fast as acks allow
  int window = 100;       // unacked publishes per publisher
  std::size_t size = 64;  // payload bytes
  std::chrono::nanoseconds warmup{0};
  std::chrono::nanoseconds hold{0};  // keep every connection open this long after the run
  int threads = 2;                   // client threads, one lws context each

  std::string ChannelName(int index) const { return "bench-" + std::to_string(index); }
};

// Payloads carry their publish time so that any subscriber can time them: a phase letter (m for
// measured, w for warm-up), the steady clock in nanoseconds as 19 digits, a space, then 'x' up to
// the size. Nothing in them needs escaping in any dialect.
constexpr std::size_t kPayloadHeader = 21;

}  // namespace chatctl::loadgen
