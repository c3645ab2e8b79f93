// What the node answers over plain HTTP besides the admin API: /healthz, /readyz and /metrics
// (Prometheus text), from a snapshot of the gateway's state; and the types every HTTP part
// shares (a request as lws delivered it, a reply, JSON replies and errors).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/result.h"

#include "lib/bus/bus.h"
#include "relay/gateway_stats.h"

namespace chatctl::relay {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers = {};  // more, lower-case names
};

struct NodeSnapshot {
  std::size_t sessions = 0;
  std::size_t channels = 0;
  std::uint64_t writes_in_flight = 0;
  bool draining = false;
  GatewayStats stats;
  std::uint32_t node_id = 0;
  bus::ClusterView cluster;
};

// /healthz, /readyz, /metrics (GET; HEAD is answered as GET without the body); 405 for another
// method on those paths, 404 for any other path.
HttpReply RouteHttp(std::string_view method, std::string_view path, const NodeSnapshot& node);
// 405 Method Not Allowed, naming the methods `path` has in the Allow header (RFC 9110 15.5.6).
HttpReply MethodNotAllowed(std::string_view method, std::string_view path, std::string allow);
// The cluster as this node sees it (GET /api/v1/nodes).
nlohmann::json NodesJson(const NodeSnapshot& node);

// An admin API request as the gateway collected it from lws.
struct HttpRequest {
  std::string method;  // GET, POST, PUT, DELETE, ...
  std::string path;    // without the query
  std::map<std::string, std::string> query;
  std::string body;
  std::string bearer;  // the token of "Authorization: Bearer ..."
  bool from_loopback = false;
  std::string host;           // the Host header
  std::string if_none_match;  // the If-None-Match header
};

// A JSON answer, or a JSON error with the status that goes with the protocol's code.
HttpReply JsonReply(const nlohmann::json& body, int status = 200);
HttpReply ErrorHttpReply(const Error& error);

}  // namespace chatctl::relay
