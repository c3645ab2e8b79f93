// Plain HTTP on the node's port: /healthz, /readyz, /metrics (Prometheus text) and
// /api/v1/nodes (the cluster as this node sees it).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lib/result.h"

#include "lib/bus/bus.h"

namespace chatctl::relay {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Counters for /metrics; written by the gateway thread only.
struct GatewayStats {
  std::uint64_t sessions_opened = 0;
  std::uint64_t messages_accepted = 0;
  std::uint64_t deliveries = 0;
  std::uint64_t store_errors = 0;
  std::uint64_t slow_closes = 0;
  std::uint64_t presence_events_skipped = 0;  // joins and leaves in rooms over the limit
  std::uint64_t messages_replicated = 0;      // other nodes' events applied here
  std::uint64_t logins = 0;                   // password logins and sign-ups welcomed
  std::uint64_t logins_failed = 0;            // wrong user name or password
  std::uint64_t logins_throttled = 0;         // refused: too many failures from one address
  std::uint64_t control_events = 0;           // accounts, rooms, moderation, edits (any node's)
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

HttpReply RouteHttp(std::string_view path, const NodeSnapshot& node);

// An admin API request as the gateway collected it from lws.
struct HttpRequest {
  std::string method;  // GET, POST, PUT, DELETE, ...
  std::string path;    // without the query
  std::map<std::string, std::string> query;
  std::string body;
  std::string bearer;  // the token of "Authorization: Bearer ..."
  bool from_loopback = false;
};

// A JSON answer, or a JSON error with the status that goes with the protocol's code.
HttpReply JsonReply(const nlohmann::json& body, int status = 200);
HttpReply ErrorHttpReply(const Error& error);

}  // namespace chatctl::relay
