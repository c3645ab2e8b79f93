// HTTP routes of a node (see http_routes.h).
#include "relay/http/http_routes.h"

#include <string>

#include <nlohmann/json.hpp>

namespace chatctl::relay {
namespace {

void AddMetric(std::string& out, const char* name, const char* type, const char* help,
               std::uint64_t value) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
  out += name;
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

}  // namespace

HttpReply JsonReply(const nlohmann::json& body, int status) {
  return {status,
          "application/json",
          body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
          {}};
}

HttpReply ErrorHttpReply(const Error& error) {
  static const std::map<std::string, int> kStatus = {
      {"bad_request", 400},  {"unauthorized", 401}, {"forbidden", 403},
      {"not_found", 404},    {"conflict", 409},     {"too_large", 413},
      {"rate_limited", 429}, {"unavailable", 503},  {"internal", 500}};
  auto it = kStatus.find(error.code);
  int status = it == kStatus.end() ? 500 : it->second;
  return JsonReply({{"error", {{"code", error.code}, {"message", error.message}}}}, status);
}

nlohmann::json NodesJson(const NodeSnapshot& node) {
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& p : node.cluster.peers) {
    peers.push_back({{"node", p.node},
                     {"address", p.address},
                     {"state", p.up ? "up" : "down"},
                     {"last_heartbeat_ms", p.last_heartbeat_ms},
                     {"head_seq", p.head_seq},
                     {"applied_seq", p.applied_seq},
                     {"behind", p.head_seq > p.applied_seq ? p.head_seq - p.applied_seq : 0}});
  }
  return {{"node", node.node_id},
          {"meshed", node.cluster.meshed},
          {"caught_up", node.cluster.caught_up},
          {"peers", peers}};
}

HttpReply MethodNotAllowed(std::string_view method, std::string_view path, std::string allow) {
  HttpReply reply = ErrorHttpReply(
      {"bad_request", std::string(method) + " is not allowed on " + std::string(path)});
  reply.status = 405;
  reply.headers.emplace_back("Allow", std::move(allow));
  return reply;
}

HttpReply RouteHttp(std::string_view method, std::string_view path, const NodeSnapshot& node) {
  if (auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  bool known = path == "/healthz" || path == "/readyz" || path == "/metrics";
  if (known && method != "GET" && method != "HEAD") {
    return MethodNotAllowed(method, path, "GET, HEAD");
  }
  if (path == "/healthz") return {200, "text/plain; charset=utf-8", "ok\n", {}};
  if (path == "/readyz") {
    // The store is open before the node listens; a meshed node also waits for a live peer and
    // for having applied everything the cluster says exists.
    if (node.draining) return {503, "text/plain; charset=utf-8", "draining\n", {}};
    if (node.cluster.meshed && !node.cluster.caught_up) {
      bool any_up = false;
      for (const auto& p : node.cluster.peers) any_up = any_up || p.up;
      return {
          503, "text/plain; charset=utf-8", any_up ? "catching up\n" : "no peer connected\n", {}};
    }
    return {200, "text/plain; charset=utf-8", "ready\n", {}};
  }
  if (path == "/metrics") {
    std::string out;
    AddMetric(out, "chatctl_sessions", "gauge", "Client sessions open now.", node.sessions);
    AddMetric(out, "chatctl_channels", "gauge", "Channels with joined sessions on this node.",
              node.channels);
    AddMetric(out, "chatctl_store_writes_in_flight", "gauge",
              "Messages handed to the store and not yet committed.", node.writes_in_flight);
    AddMetric(out, "chatctl_sessions_opened_total", "counter", "Sessions ever opened.",
              node.stats.sessions_opened);
    AddMetric(out, "chatctl_messages_accepted_total", "counter",
              "Messages committed and acked by this node.", node.stats.messages_accepted);
    AddMetric(out, "chatctl_deliveries_total", "counter", "Messages queued to client sessions.",
              node.stats.deliveries);
    AddMetric(out, "chatctl_store_errors_total", "counter", "Failed store commits.",
              node.stats.store_errors);
    AddMetric(out, "chatctl_slow_client_closes_total", "counter",
              "Sessions closed with 4408 because they did not read.", node.stats.slow_closes);
    AddMetric(out, "chatctl_presence_events_skipped_total", "counter",
              "Joins and leaves not announced: the room had more sessions than "
              "--presence-events-max.",
              node.stats.presence_events_skipped);
    AddMetric(out, "chatctl_logins_total", "counter",
              "Password logins and sign-ups welcomed by this node.", node.stats.logins);
    AddMetric(out, "chatctl_logins_failed_total", "counter",
              "Password logins refused for a wrong user name or password.",
              node.stats.logins_failed);
    AddMetric(out, "chatctl_logins_throttled_total", "counter",
              "Password logins refused because their address failed too often.",
              node.stats.logins_throttled);
    AddMetric(out, "chatctl_control_events_total", "counter",
              "Account, room, moderation and message-change events applied here.",
              node.stats.control_events);
    std::uint64_t up = 0;
    for (const auto& p : node.cluster.peers) up += p.up ? 1 : 0;
    AddMetric(out, "chatctl_mesh_peers_up", "gauge", "Other nodes heard from recently.", up);
    return {200, "text/plain; version=0.0.4; charset=utf-8", out, {}};
  }
  return {404, "text/plain; charset=utf-8", "not found\n", {}};
}

}  // namespace chatctl::relay
