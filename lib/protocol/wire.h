// The wire protocol's constants, version 1 (docs/protocol.md): its version and subprotocol, the
// default port, history limits, close codes, and the `ref` a client may attach to a request. What
// the requests and replies hold is in requests.h and replies.h.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

namespace chatctl::protocol {

constexpr int kVersion = 1;
constexpr const char* kSubprotocol = "chatctl.v1";
constexpr int kDefaultPort = 7447;
constexpr int kHistoryDefaultLimit = 50;
constexpr int kHistoryMaxLimit = 500;

// Close codes (PROTOCOL.md "Errors").
enum CloseCode : std::uint16_t {
  kCloseGoingAway = 1001,
  kCloseInvalidUtf8 = 1007,
  kCloseTooLarge = 1009,
  kCloseUnauthorized = 4401,
  kCloseKicked = 4403,
  kCloseTooSlow = 4408,
  kCloseRateLimited = 4429,
};

// `ref` as the client sent it (string or integer), or null when absent.
using Ref = nlohmann::json;

}  // namespace chatctl::protocol
