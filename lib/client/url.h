// ws:// and wss:// URLs as clients take them (-u/--url), and comma-separated failover lists.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/result.h"

namespace chatctl {

struct WsUrl {
  bool tls = false;
  std::string host;
  int port = 7447;
  std::string path = "/ws";
  std::string ToString() const;
};

// "ws://host:port/path", "wss://…", "host:port" and "[::1]:port" are accepted; the path defaults to
// /ws and the port to 7447.
Result<WsUrl> ParseWsUrl(std::string_view text);
Result<std::vector<WsUrl>> ParseWsUrlList(std::string_view comma_separated);

}  // namespace chatctl
