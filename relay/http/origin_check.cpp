// The WebSocket upgrade's Origin rule (see origin_check.h).
#include "relay/http/origin_check.h"

#include <cctype>

namespace chatctl::relay {

std::string NormalizeOrigin(std::string_view origin) {
  std::string out;
  out.reserve(origin.size());
  for (char c : origin) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

bool OriginAllowed(std::string_view origin, std::string_view host,
                   const std::vector<std::string>& allowed) {
  if (origin.empty()) return true;  // not a browser page
  std::string o = NormalizeOrigin(origin);
  std::string h = NormalizeOrigin(host);
  if (!h.empty() && (o == "http://" + h || o == "https://" + h)) return true;
  for (const std::string& a : allowed) {
    if (a == "*" || NormalizeOrigin(a) == o) return true;
  }
  return false;
}

}  // namespace chatctl::relay
