// A blocking WebSocket client over libwebsockets for the CLI (send, tail). Single-threaded: the
// calling thread runs the lws service loop inside Connect/Send/Receive. One lws context each.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "lib/client/url.h"
#include "lib/result.h"

namespace chatctl {

class WsClient {
 public:
  static Result<std::unique_ptr<WsClient>> Connect(const WsUrl& url,
                                                   std::chrono::milliseconds timeout);
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // Queues one text frame and services the connection until it is written or the timeout passes.
  Status Send(const std::string& text, std::chrono::milliseconds timeout);
  // The next JSON object from the node (frames are split on '\n'); nullopt on timeout or close.
  std::optional<std::string> Receive(std::chrono::milliseconds timeout);

  bool closed() const;
  // The close code and reason the node sent (0 and empty when the connection just dropped).
  int close_code() const;
  const std::string& close_reason() const;

  struct State;  // shared with the lws callback; defined in ws_client.cpp

 private:
  explicit WsClient(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace chatctl
