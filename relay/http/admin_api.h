// The admin HTTP API under /api/v1/ (docs/admin-api.md): a table of routes, one handler per
// endpoint, each area's in its own file (admin_channels.cpp, admin_users.cpp,
// admin_moderation.cpp, admin_node.cpp). What the gateway knows is answered at once; what the
// store holds is read on the query worker; changes are planned by relay/control_rules.h, like
// the WebSocket requests that make the same changes, and answered once durable. Gateway thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/protocol/field_reader.h"
#include "lib/protocol/flat_object.h"
#include "relay/gateway_context.h"
#include "relay/http/http_routes.h"
#include "relay/http/http_server.h"
#include "relay/worker.h"

namespace chatctl::relay {

// One API request, as its handler sees it. Lives for the handler's call; what answers later
// (a worker's result, a commit) copies `respond`.
class ApiCall {
 public:
  ApiCall(GatewayContext& gw, HttpResponder respond, const HttpRequest& request, std::string actor,
          std::vector<std::string> params);
  ApiCall(const ApiCall&) = delete;
  ApiCall& operator=(const ApiCall&) = delete;

  GatewayContext& gw;
  const HttpResponder respond;
  const HttpRequest& request;
  const std::string actor;                // who changes show as `by`: the token's user, or operator
  const std::vector<std::string> params;  // the {} parts of the route's pattern, in order

  // The JSON body's fields (an empty body has none; JSON null counts as absent).
  protocol::FieldReader& body() { return *body_; }
  // True, with the error answered, when the body is not a JSON object.
  bool BodyUnreadable() const;
  // True, with the error answered, when the body or a field read from it was wrong.
  bool BadBody();

  void Reply(const nlohmann::json& body) const { respond(JsonReply(body)); }
  void Fail(const Error& error) const { respond(ErrorHttpReply(error)); }
  // Commits the plan by `actor`; answers `fields` (the plan's own without) once durable.
  void Commit(const Result<ControlPlan>& plan) const;
  void Commit(const Result<ControlPlan>& plan, nlohmann::json fields) const;
  // `read` on a worker's store (values only), then `then` here; answers unavailable when busy.
  template <class R>
  void Ask(Worker& worker, std::function<R(Store&)> read, std::function<void(R)> then) const {
    if (!worker.Ask<R>(std::move(read), std::move(then)))
      Fail({"unavailable", "node busy; try again"});
  }

  std::string Query(const char* key) const;
  int ListLimit() const;  // ?limit=, 1..1000, default 100
  // The channel (a room or dm channel) or user named by params[i]; nullopt, answered, when it is
  // not a valid name.
  std::optional<std::string> ChannelParam(std::size_t i) const;
  std::optional<std::string> UserParam(std::size_t i) const;

 private:
  nlohmann::json json_;  // the body; flat_ points into it
  protocol::FlatObject flat_;
  Status parsed_ = Ok{};
  std::optional<protocol::FieldReader> body_;
};

struct ApiRoute {
  const char* method;
  const char* pattern;  // "/api/v1/channels/{}/members/{}": each {} is one path segment
  void (*handler)(ApiCall& call);
  bool open = false;  // answered without a token (the cluster's state, like /readyz)
};

// Each area's routes.
std::vector<ApiRoute> ChannelRoutes();
std::vector<ApiRoute> UserRoutes();
std::vector<ApiRoute> ModerationRoutes();
std::vector<ApiRoute> NodeRoutes();

class AdminApi {
 public:
  explicit AdminApi(GatewayContext& gw);
  // A request whose path starts with /api/v1/.
  void Handle(HttpResponder respond, const HttpRequest& request);

 private:
  // Who the caller is (the actor), or why it may not use the API.
  Result<std::string> Authenticate(const HttpRequest& request) const;

  GatewayContext& gw_;
  const std::vector<ApiRoute> routes_;
};

}  // namespace chatctl::relay
