// The outbound path over lws (see lws_outbound.h).
#include "relay/sessions/lws_outbound.h"

#include <libwebsockets.h>

#include <algorithm>

#include "lib/log.h"
#include "lib/protocol.h"

namespace chatctl::relay {
namespace {
// RFC 6455 leaves a close frame's reason 123 bytes.
constexpr std::size_t kMaxCloseReason = 123;
}  // namespace

void LwsOutbound::Send(Session& s, Line line) {
  if (!s.accepts_output()) return;
  ++stats_.deliveries;
  // A session with output queued is already waiting for a writable callback (OnWritable asks for
  // the next while anything is left): asking again per delivery only costs lws a pollfd update.
  bool was_idle = !s.has_output();
  if (!s.Enqueue(std::move(line))) {
    ++stats_.slow_closes;
    log::Info("closing a session that does not read",
              {{"user", s.user}, {"queued_bytes", std::to_string(s.queued_bytes())}});
    Close(s, protocol::kCloseTooSlow, "too slow: reconnect with since", true);
    return;
  }
  if (was_idle) lws_callback_on_writable(s.wsi);
}

void LwsOutbound::Close(Session& s, std::uint16_t code, std::string reason, bool discard) {
  s.RequestClose(code, std::move(reason), discard);
  lws_callback_on_writable(s.wsi);
}

int LwsOutbound::OnWritable(Session& s) {
  if (s.has_output()) {
    s.TakeFrame(LWS_PRE, kMaxFrameBytes, frame_);
    std::size_t len = frame_.size() - LWS_PRE;
    if (lws_write(s.wsi, frame_.data() + LWS_PRE, len, LWS_WRITE_TEXT) < static_cast<int>(len)) {
      return -1;
    }
    if (s.has_output() || s.closing()) lws_callback_on_writable(s.wsi);
    return 0;
  }
  if (s.ready_to_close()) {  // else a send's answer is still owed: its Send asks to write again
    lws_close_reason(s.wsi, static_cast<lws_close_status>(s.close_code),
                     reinterpret_cast<unsigned char*>(s.close_reason.data()),
                     std::min(s.close_reason.size(), kMaxCloseReason));
    return -1;
  }
  return 0;
}

}  // namespace chatctl::relay
