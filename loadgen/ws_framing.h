// The client side of WebSocket (RFC 6455) over a plain byte stream, for the load generator.
// libwebsockets 4.1's client walks every received payload byte by byte through its state machine;
// at a million deliveries a second that was three quarters of the load generator's CPU, so the
// load generator was measuring itself. This codec takes whole buffers: it finds a frame's header,
// and hands over the payload where it lies. lws still owns the socket and the event loop (a raw
// connection); only the framing is done here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace chatctl::loadgen {

// The upgrade request; `key` is 16 random bytes, base64 (see NewWebSocketKey).
std::string UpgradeRequest(const std::string& host, const std::string& path,
                           const char* subprotocol, const std::string& key);
std::string NewWebSocketKey();

// Appends one masked frame (clients always mask): opcode 1 text, 2 binary, 8 close, 10 pong.
void AppendClientFrame(std::string& out, int opcode, std::string_view payload);

class WsClientReader {
 public:
  enum class Event { kNeedMore, kOpen, kMessage, kPing, kClose, kError };

  explicit WsClientReader(std::string key);
  // Adds received bytes; then call Next until it answers kNeedMore.
  void Add(const char* data, std::size_t len);
  // kOpen once the 101 arrives; kMessage with message() a whole text or binary message (fragments
  // joined); kPing with message() its payload (answer with a pong); kClose with close_code();
  // kError with error() (a bad handshake or frame: drop the connection).
  Event Next();
  std::string_view message() const { return message_; }
  int close_code() const { return close_code_; }
  const std::string& error() const { return error_; }

 private:
  Event Fail(std::string why);

  std::string key_;
  bool open_ = false;
  std::string in_;         // received, not yet consumed
  std::size_t start_ = 0;  // where unconsumed bytes begin in in_
  std::string fragments_;  // a message arriving in several frames
  std::string_view message_;
  std::string control_;  // a ping's payload, kept past the buffer's compaction
  int close_code_ = 0;
  std::string error_;
};

}  // namespace chatctl::loadgen
