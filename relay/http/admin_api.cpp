// The admin API's table and what every endpoint shares (see admin_api.h).
#include "relay/http/admin_api.h"

#include <cstdlib>
#include <string_view>

#include "lib/auth/jwt.h"
#include "lib/names.h"

namespace chatctl::relay {
namespace {

constexpr int kDefaultListLimit = 100;
constexpr int kMaxListLimit = 1000;

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

// The {} segments of `path` when it has the pattern's shape, else nullopt.
std::optional<std::vector<std::string>> Match(std::string_view pattern, std::string_view path) {
  auto want = SplitPath(pattern);
  auto got = SplitPath(path);
  if (want.size() != got.size()) return std::nullopt;
  std::vector<std::string> params;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i] == "{}") {
      params.emplace_back(got[i]);
    } else if (want[i] != got[i]) {
      return std::nullopt;
    }
  }
  return params;
}

std::vector<ApiRoute> AllRoutes() {
  std::vector<ApiRoute> all;
  for (auto area : {ChannelRoutes, UserRoutes, ModerationRoutes, NodeRoutes}) {
    auto routes = area();
    all.insert(all.end(), routes.begin(), routes.end());
  }
  return all;
}

}  // namespace

ApiCall::ApiCall(GatewayContext& gateway, HttpResponder responder, const HttpRequest& r,
                 std::string who, std::vector<std::string> path_params)
    : gw(gateway),
      respond(responder),
      request(r),
      actor(std::move(who)),
      params(std::move(path_params)) {
  if (r.body.empty()) {
    json_ = nlohmann::json::object();
  } else {
    json_ = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (json_.is_discarded()) {
      parsed_ = Error{"bad_request", "the body is not valid JSON (UTF-8)"};
    } else if (!json_.is_object()) {
      parsed_ = Error{"bad_request", "the body must be a JSON object"};
    }
  }
  if (!parsed_.ok()) json_ = nlohmann::json::object();
  flat_ = protocol::FlatObject::Of(json_);
  body_.emplace(flat_, /*null_is_absent=*/true);
}

bool ApiCall::BodyUnreadable() const {
  if (parsed_.ok()) return false;
  Fail(parsed_.error());
  return true;
}

bool ApiCall::BadBody() {
  if (BodyUnreadable()) return true;
  if (body_->failed()) {
    Fail(body_->error());
    return true;
  }
  return false;
}

void ApiCall::Commit(const Result<ControlPlan>& plan) const {
  if (!plan.ok()) return Fail(plan.error());
  Commit(plan, plan->fields);
}

void ApiCall::Commit(const Result<ControlPlan>& plan, nlohmann::json fields) const {
  if (!plan.ok()) return Fail(plan.error());
  HttpResponder answer = respond;
  bool submitted =
      gw.CommitControl(*plan, actor, [answer, fields](const WriteJob&, const Status& status) {
        answer(status.ok() ? JsonReply(fields)
                           : ErrorHttpReply({"unavailable", status.error().message}));
      });
  if (!submitted) Fail({"unavailable", "store queue full or node shutting down; try again"});
}

std::string ApiCall::Query(const char* key) const {
  auto it = request.query.find(key);
  return it == request.query.end() ? std::string() : it->second;
}

int ApiCall::ListLimit() const {
  auto it = request.query.find("limit");
  if (it == request.query.end()) return kDefaultListLimit;
  int n = std::atoi(it->second.c_str());
  return n < 1 ? 1 : (n > kMaxListLimit ? kMaxListLimit : n);
}

std::optional<std::string> ApiCall::ChannelParam(std::size_t i) const {
  const std::string& name = params.at(i);
  if (IsValidRoomName(name) || ParseDmChannel(name)) return name;
  Fail({"bad_request", "invalid channel name"});
  return std::nullopt;
}

std::optional<std::string> ApiCall::UserParam(std::size_t i) const {
  const std::string& name = params.at(i);
  if (IsValidUserName(name)) return name;
  Fail({"bad_request", "invalid user name"});
  return std::nullopt;
}

AdminApi::AdminApi(GatewayContext& gw) : gw_(gw), routes_(AllRoutes()) {}

Result<std::string> AdminApi::Authenticate(const HttpRequest& request) const {
  if (request.bearer.empty()) {
    if (gw_.config.open_mode && request.from_loopback) return std::string("operator");
    return Error{"unauthorized", "send 'Authorization: Bearer <token>' with an admin token"};
  }
  if (!gw_.config.secret) {
    return Error{"unauthorized", "this node has no secret configured and cannot verify tokens"};
  }
  auto claims = VerifyToken(request.bearer, *gw_.config.secret, gw_.NowMs() / 1000);
  if (!claims.ok()) return claims.error();
  if (Status allowed = gw_.directory.CheckUser(claims->sub, gw_.NowMs()); !allowed.ok()) {
    return allowed.error();
  }
  if (Status fresh = gw_.directory.CheckToken(claims->sub, claims->iat_ms); !fresh.ok()) {
    return fresh.error();
  }
  if (!claims->admin) return Error{"forbidden", "the token is not an administrator's"};
  return claims->sub;
}

void AdminApi::Handle(HttpResponder respond, const HttpRequest& request) {
  const ApiRoute* route = nullptr;
  std::vector<std::string> params;
  std::string allow;  // the methods the path has, when the request's is not one of them
  // HEAD is GET without the body (the HTTP server leaves the body out).
  const std::string method = request.method == "HEAD" ? "GET" : request.method;
  for (const ApiRoute& r : routes_) {
    auto matched = Match(r.pattern, request.path);
    if (!matched) continue;
    if (method != r.method) {
      allow += (allow.empty() ? "" : ", ") + std::string(r.method);
      if (std::string_view(r.method) == "GET") allow += ", HEAD";
      continue;
    }
    route = &r;
    params = std::move(*matched);
    break;
  }
  if (route == nullptr && !allow.empty()) {
    return respond(MethodNotAllowed(request.method, request.path, allow));
  }
  std::string actor = "operator";
  if (route == nullptr || !route->open) {
    auto caller = Authenticate(request);
    if (!caller.ok()) return respond(ErrorHttpReply(caller.error()));
    actor = *caller;
  }
  if (route == nullptr) {
    return respond(
        ErrorHttpReply({"not_found", "no such endpoint: " + request.method + " " + request.path}));
  }
  ApiCall call(gw_, respond, request, std::move(actor), std::move(params));
  if (call.BodyUnreadable()) return;
  route->handler(call);
}

}  // namespace chatctl::relay
