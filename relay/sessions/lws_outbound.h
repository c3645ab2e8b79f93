// The outbound path over lws: Send queues a line on the session and asks lws for a writable
// callback; OnWritable then writes the queued lines as one text frame, or carries out a close
// the gateway decided on. Gateway thread only (lws is not thread-safe).
#pragma once

#include <cstddef>
#include <vector>

#include "relay/gateway_stats.h"
#include "relay/sessions/outbound.h"

namespace chatctl::relay {

class LwsOutbound final : public Outbound {
 public:
  // About this many bytes of queued lines go out in one frame (lws's send buffer is sized by it).
  static constexpr std::size_t kMaxFrameBytes = 64 * 1024;

  explicit LwsOutbound(GatewayStats& stats) : stats_(stats) {}
  using Outbound::Send;
  void Send(Session& s, Line line) override;
  void Close(Session& s, std::uint16_t code, std::string reason, bool discard = false) override;
  // LWS_CALLBACK_SERVER_WRITEABLE: -1 tells lws to close the connection.
  int OnWritable(Session& s);

 private:
  GatewayStats& stats_;
  std::vector<unsigned char> frame_;  // scratch for the frame being written, reused
};

}  // namespace chatctl::relay
