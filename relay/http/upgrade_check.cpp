// The WebSocket upgrade's checks (see upgrade_check.h).
#include "relay/http/upgrade_check.h"

#include <string>

namespace chatctl::relay {
namespace {

// 16 bytes in base64: 22 characters of the alphabet and "==".
bool IsWebSocketKey(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (char c : key.substr(0, 22)) {
    bool base64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '/';
    if (!base64) return false;
  }
  return true;
}

}  // namespace

std::optional<HttpReply> RefuseUpgrade(std::string_view version, std::string_view key) {
  if (version != "13") {
    HttpReply reply{426,
                    "text/plain; charset=utf-8",
                    "this node speaks WebSocket version 13 (RFC 6455) only\n",
                    {}};
    reply.headers.emplace_back("Sec-WebSocket-Version", "13");
    return reply;
  }
  if (!IsWebSocketKey(key)) {
    return HttpReply{400,
                     "text/plain; charset=utf-8",
                     "Sec-WebSocket-Key must be 16 bytes in base64 (RFC 6455 4.1)\n",
                     {}};
  }
  return std::nullopt;
}

}  // namespace chatctl::relay
