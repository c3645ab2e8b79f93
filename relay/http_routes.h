// Plain HTTP on the node's port: /healthz, /readyz, /metrics (Prometheus text) and
// /api/v1/nodes (the cluster as this node sees it).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "relay/gateway.h"

namespace chatctl::relay {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
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

}  // namespace chatctl::relay
