// What a WebSocket upgrade request must carry before the node answers 101 (RFC 6455 4.2.1):
// version 13, and a Sec-WebSocket-Key that is 16 bytes in base64. libwebsockets 4.1 upgrades
// requests that carry neither right; these are the answers it should have given. Pure: the
// gateway reads the headers and writes the refusal.
#pragma once

#include <optional>
#include <string_view>

#include "relay/http/http_routes.h"

namespace chatctl::relay {

// 426 with "Sec-WebSocket-Version: 13" for another version, 400 for a missing or malformed key;
// nullopt when the upgrade may go ahead.
std::optional<HttpReply> RefuseUpgrade(std::string_view version, std::string_view key);

}  // namespace chatctl::relay
