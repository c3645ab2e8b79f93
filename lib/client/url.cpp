// Parsing of the node URLs clients are given (-u, CHATCTL_URL): ws://, wss://, host:port,
// [v6]:port. Pure functions, no state. Anything odd is refused with a message that names the bad
// part, because a URL that silently means something else is worse than an error.
#include "lib/client/url.h"

#include <algorithm>
#include <cctype>

namespace chatctl {
namespace {

constexpr int kDefaultPort = 7447;
constexpr const char* kDefaultPath = "/ws";

Error BadUrl(std::string_view text, std::string_view why) {
  return Error{"bad_request", "bad URL '" + std::string(text) + "': " + std::string(why)};
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool IsHostNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
}

bool IsV6Char(char c) {
  // Hex digits, colons, an embedded dotted quad (::ffff:1.2.3.4) and a zone (%eth0).
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.' || c == '%' ||
         c == '-' || c == '_';
}

bool ParsePort(std::string_view digits, int& port) {
  if (digits.empty() || digits.size() > 5) return false;
  int value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  if (value < 1 || value > 65535) return false;
  port = value;
  return true;
}

}  // namespace

std::string WsUrl::ToString() const {
  std::string out = tls ? "wss://" : "ws://";
  // A v6 literal needs its brackets back, or its colons would read as the port.
  if (host.find(':') != std::string::npos) {
    out += "[" + host + "]";
  } else {
    out += host;
  }
  out += ":" + std::to_string(port) + path;
  return out;
}

Result<WsUrl> ParseWsUrl(std::string_view text) {
  const std::string_view original = text;
  text = Trim(text);
  if (text.empty()) return Error{"bad_request", "empty URL"};
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return BadUrl(original, "contains a space or a control character");
    }
  }

  WsUrl url;
  if (auto sep = text.find("://"); sep != std::string_view::npos) {
    std::string scheme = Lower(text.substr(0, sep));
    if (scheme == "ws") {
      url.tls = false;
    } else if (scheme == "wss") {
      url.tls = true;
    } else {
      return BadUrl(original, "scheme '" + scheme + "' is not ws or wss");
    }
    text.remove_prefix(sep + 3);
  }

  // Authority ends at the path; a query or fragment without a path is not something we serve.
  std::string_view authority = text;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    authority = text.substr(0, slash);
    url.path = std::string(text.substr(slash));
  } else {
    url.path = kDefaultPath;
  }
  if (authority.find_first_of("?#") != std::string_view::npos) {
    return BadUrl(original, "a query or fragment needs a path before it");
  }
  if (url.path.find('#') != std::string::npos) return BadUrl(original, "has a fragment");
  // "wss//host" or "ws:///x" would otherwise parse as a host and an odd path.
  if (url.path.rfind("//", 0) == 0)
    return BadUrl(original, "path starts with '//'; a typo in ws://?");
  if (authority.find('@') != std::string_view::npos) {
    return BadUrl(original, "user info in the URL is not supported (use --token)");
  }
  if (authority.empty()) return BadUrl(original, "no host");

  std::string_view port_text;
  bool has_port = false;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return BadUrl(original, "'[' without ']'");
    std::string_view host = authority.substr(1, close - 1);
    if (host.empty() || host.find(':') == std::string_view::npos ||
        !std::all_of(host.begin(), host.end(), IsV6Char)) {
      return BadUrl(original, "'" + std::string(host) + "' is not an IPv6 address");
    }
    url.host = std::string(host);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return BadUrl(original, "expected ':PORT' after ']'");
      port_text = rest.substr(1);
      has_port = true;
    }
  } else {
    auto colon = authority.find(':');
    if (colon != std::string_view::npos &&
        authority.find(':', colon + 1) != std::string_view::npos) {
      return BadUrl(original, "an IPv6 address needs brackets, as in [::1]:7447");
    }
    std::string_view host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
    }
    if (host.empty()) return BadUrl(original, "no host");
    if (!std::all_of(host.begin(), host.end(), IsHostNameChar) || host.front() == '-' ||
        host.front() == '.') {
      return BadUrl(original, "'" + std::string(host) + "' is not a host name or address");
    }
    url.host = std::string(host);
  }

  url.port = kDefaultPort;
  if (has_port && !ParsePort(port_text, url.port)) {
    return BadUrl(original,
                  "port '" + std::string(port_text) + "' is not a number from 1 to 65535");
  }
  return url;
}

Result<std::vector<WsUrl>> ParseWsUrlList(std::string_view comma_separated) {
  std::vector<WsUrl> urls;
  std::string_view rest = comma_separated;
  for (;;) {
    auto comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    // Empty items (a trailing comma, ",,") are skipped: harmless in a list that scripts build.
    if (!item.empty()) {
      Result<WsUrl> url = ParseWsUrl(item);
      if (!url.ok()) return url.error();
      urls.push_back(std::move(url).value());
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (urls.empty()) return Error{"bad_request", "no URL given"};
  return urls;
}

}  // namespace chatctl
