// Which browser pages may open a WebSocket to this node: the `Origin` check of the upgrade
// (`--allowed-origins`, like NATS's allowed_origins). A pure decision, so the gateway and the
// tests share one rule; the gateway answers a refusal with 403.
//
// The rule: no Origin header (the CLI, scripts: not a browser page) passes; the node's own origin
// (scheme http or https and the Host the client connected to) passes; so does an origin listed
// exactly, or any origin when the list holds "*". Everything else, "null" included, is refused.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chatctl::relay {

// `origin`: the header's value ("" when absent); `host`: the Host header's value.
bool OriginAllowed(std::string_view origin, std::string_view host,
                   const std::vector<std::string>& allowed);

// "https://Chat.Example:443/" -> "https://chat.example:443": lower case, no trailing slash; what
// `--allowed-origins` entries and Origin headers are compared as.
std::string NormalizeOrigin(std::string_view origin);

}  // namespace chatctl::relay
