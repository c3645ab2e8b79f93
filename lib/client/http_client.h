// A blocking HTTP/1.1 client for the node's admin API (docs/admin-api.md), used by
// `chatctl admin`. One request per connection (Connection: close), plain TCP over IPv4 or IPv6:
// the node serves no TLS, so neither does this. No redirects, no keep-alive, no proxies; the
// caller's thread does everything and nothing outlives a call.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/result.h"

namespace chatctl {

// Where a node answers HTTP: the host and port of its WebSocket URL.
struct HttpEndpoint {
  std::string host;
  int port = 7447;
  std::string ToString() const;  // "http://host:port", v6 literals in brackets
};

// The node URLs every client takes (-u, CHATCTL_URL: ws://host[:port][/path], host:port, a
// comma-separated failover list) as HTTP endpoints on the same host and port. The WebSocket
// path is dropped: the API is at /api/v1/ on the port itself. wss:// is refused ("bad_request"):
// the node does not speak TLS, and sending a token in clear to a server meant to be TLS would
// be worse than failing.
Result<std::vector<HttpEndpoint>> HttpEndpointsFromNodeUrls(std::string_view comma_separated);

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";  // path and query, already percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent with Content-Length for every method but GET and HEAD
};

struct HttpResponse {
  int status = 0;
  std::string content_type;  // as the server sent it; "" if it sent none
  std::string body;          // de-chunked
};

struct HttpTimeouts {
  std::chrono::milliseconds connect{10000};   // per address tried
  std::chrono::milliseconds exchange{30000};  // sending the request and reading the whole answer
};

// Sends `request` to the first endpoint that accepts a connection, trying each in turn (and
// each address a host name resolves to). Only a failure to connect moves on: once the request
// is sent, a failure is returned as is, because the node may have acted on it. Errors:
// "unavailable" (no endpoint could be reached, the connection broke, a timeout), "internal" (an
// answer that is not HTTP), "too_large" (an answer over 64 MiB).
Result<HttpResponse> HttpSend(const std::vector<HttpEndpoint>& endpoints,
                              const HttpRequest& request, const HttpTimeouts& timeouts = {});

// The bytes of `request` on the wire, with Host, Connection: close and Content-Length added.
std::string FormatHttpRequest(const HttpEndpoint& endpoint, const HttpRequest& request);

// Parses a response from the bytes read so far: nullopt while more are needed, else the
// response or why it is malformed. `at_eof`: the server has closed, so a body without a length
// ends here and a short one is an error.
std::optional<Result<HttpResponse>> ParseHttpResponse(std::string_view raw, bool at_eof);

}  // namespace chatctl
