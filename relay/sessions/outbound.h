// The outbound path's two verbs, as the gateway's parts see them: queue a line for a session, and
// close one. The gateway carries them out over lws (relay/sessions/lws_outbound.h); unit tests
// record them. Gateway thread only.
//
// Everything a client receives goes through Send: one session (a reply), a room (ChannelIndex's
// Broadcast for live events, Deliver for messages) or presence news (ChannelIndex).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "relay/sessions/session.h"

namespace chatctl::relay {

class Outbound {
 public:
  virtual ~Outbound() = default;
  // Queues `line` for `s`. A session whose queue is past its limit is closed (4408) instead.
  virtual void Send(Session& s, Line line) = 0;
  void Send(Session& s, std::string text) {
    Send(s, std::make_shared<const std::string>(std::move(text)));
  }
  // Closes `s` with `code` once what is queued is written, or at once when `discard`.
  virtual void Close(Session& s, std::uint16_t code, std::string reason, bool discard = false) = 0;
};

}  // namespace chatctl::relay
