// The admin API's users and tokens: list, add, show, delete, set a password, disable, enable,
// mint a token (docs/admin-api.md "Users", "Tokens").
#include "lib/auth/jwt.h"
#include "lib/auth/password.h"
#include "lib/log.h"
#include "lib/state_tables.h"
#include "relay/handlers/accounts.h"
#include "relay/http/admin_api.h"

namespace chatctl::relay {
namespace {

using nlohmann::json;

constexpr std::int64_t kDefaultTokenSeconds = 86400;
constexpr std::int64_t kMaxTokenSeconds = 10LL * 366 * 86400;

json UserJson(const control::UserRecord& u) {
  json j = {{"name", u.name},
            {"account", u.account},
            {"admin", u.admin},
            {"disabled", u.disabled},
            {"banned_until", nullptr}};
  if (u.ban_until) j["banned_until"] = *u.ban_until;
  return j;
}

// What the password worker found for a password change or a delete: whether the account exists
// and, for a change, the new hash.
struct AccountChange {
  bool account = false;
  Result<std::string> hash = std::string();
};

void ListUsers(ApiCall& call) {
  std::string prefix = call.Query("prefix");
  std::string after = call.Query("after");
  int limit = call.ListLimit();
  HttpResponder respond = call.respond;
  call.Ask<Result<std::vector<control::UserRecord>>>(
      *call.gw.queries,
      [prefix, after, limit](Store& store) {
        return store.state().Users(prefix, after, limit + 1);
      },
      [respond, limit](Result<std::vector<control::UserRecord>> users) {
        if (!users.ok()) return respond(ErrorHttpReply(users.error()));
        json out = json::array();
        for (int i = 0; i < static_cast<int>(users->size()) && i < limit; ++i) {
          out.push_back(UserJson((*users)[static_cast<std::size_t>(i)]));
        }
        bool more = static_cast<int>(users->size()) > limit;
        respond(JsonReply({{"users", out}, {"more", more}}));
      });
}

void AddUser(ApiCall& call) {
  std::string name = call.body().User("name", true).value_or("");
  std::string password = call.body().String("password", true).value_or("");
  bool admin = call.body().Boolean("admin").value_or(false);
  if (call.BadBody()) return;
  if (Status rules = CheckPasswordRules(password); !rules.ok()) return call.Fail(rules.error());
  GatewayContext& gw = call.gw;
  HttpResponder respond = call.respond;
  std::string actor = call.actor;
  call.Ask<Result<std::string>>(
      *gw.passwords,
      [name, password](Store& store) { return HashForNewAccount(store, name, password); },
      [&gw, respond, name, admin, actor](Result<std::string> hash) {
        if (!hash.ok()) return respond(ErrorHttpReply(hash.error()));
        bool submitted = gw.CommitControl(
            PlanUserAdd(name, *hash, admin), actor,
            [respond, name, admin](const WriteJob& job, const Status& status) {
              if (!status.ok()) {
                return respond(ErrorHttpReply({"unavailable", status.error().message}));
              }
              if (!UserAddStood(job)) {
                return respond(ErrorHttpReply({"conflict", "user '" + name + "' exists"}));
              }
              log::Info("user added", {{"user", name}});
              respond(JsonReply({{"name", name}, {"admin", admin}}));
            });
        if (!submitted) respond(ErrorHttpReply({"unavailable", "store queue full"}));
      });
}

void ShowUser(ApiCall& call) {
  auto name = call.UserParam(0);
  if (!name) return;
  HttpResponder respond = call.respond;
  call.Ask<Result<std::optional<control::UserRecord>>>(
      *call.gw.queries, [user = *name](Store& store) { return store.state().User(user); },
      [respond, user = *name](Result<std::optional<control::UserRecord>> found) {
        if (!found.ok()) return respond(ErrorHttpReply(found.error()));
        if (!found->has_value() || (*found)->deleted) {
          return respond(ErrorHttpReply({"not_found", "no user '" + user + "'"}));
        }
        respond(JsonReply(UserJson(**found)));
      });
}

// A delete (no password) or a new password: both need the account to exist, read on the
// password worker, which also hashes the new password.
void ChangeAccount(ApiCall& call, bool deleting) {
  auto name = call.UserParam(0);
  if (!name) return;
  std::string password;
  if (!deleting) {
    password = call.body().String("password", true).value_or("");
    if (call.BadBody()) return;
    if (Status rules = CheckPasswordRules(password); !rules.ok()) return call.Fail(rules.error());
  }
  GatewayContext& gw = call.gw;
  HttpResponder respond = call.respond;
  std::string actor = call.actor;
  call.Ask<AccountChange>(
      *gw.passwords,
      [user = *name, password, deleting](Store& store) {
        auto found = store.state().User(user);
        AccountChange change;
        change.account =
            found.ok() && found->has_value() && (*found)->account && !(*found)->deleted;
        if (change.account && !deleting) change.hash = HashPassword(password);
        return change;
      },
      [&gw, respond, user = *name, deleting, actor](AccountChange change) {
        if (!change.account) {
          return respond(ErrorHttpReply({"not_found", "no account '" + user + "'"}));
        }
        if (!change.hash.ok()) return respond(ErrorHttpReply(change.hash.error()));
        ControlPlan plan;
        plan.kind = deleting ? control::kUserDelete : control::kUserPassword;
        plan.key = control::UserKey(user);
        if (!deleting) plan.args = {{"hash", *change.hash}};
        json fields = deleting ? json{{"deleted", user}} : json{{"name", user}};
        bool submitted =
            gw.CommitControl(plan, actor, [respond, fields](const WriteJob&, const Status& status) {
              respond(status.ok() ? JsonReply(fields)
                                  : ErrorHttpReply({"unavailable", status.error().message}));
            });
        if (!submitted) respond(ErrorHttpReply({"unavailable", "store queue full"}));
      });
}

void DeleteUser(ApiCall& call) { ChangeAccount(call, /*deleting=*/true); }
void SetPassword(ApiCall& call) { ChangeAccount(call, /*deleting=*/false); }

void SetDisabled(ApiCall& call, bool disable) {
  auto name = call.UserParam(0);
  if (!name) return;
  ControlPlan plan;
  plan.kind = disable ? control::kUserDisable : control::kUserEnable;
  plan.key = control::UserKey(*name);
  call.Commit(plan, {{"name", *name}, {"disabled", disable}});
}

void DisableUser(ApiCall& call) { SetDisabled(call, true); }
void EnableUser(ApiCall& call) { SetDisabled(call, false); }

void MintTokenFor(ApiCall& call) {
  std::string user = call.body().User("user", true).value_or("");
  auto ttl = call.body().Integer("ttl_seconds", 0, kMaxTokenSeconds);
  bool admin = call.body().Boolean("admin").value_or(false);
  if (call.BadBody()) return;
  const auto& secret = call.gw.config.secret;
  if (!secret) return call.Fail({"unavailable", "this node has no secret to sign tokens with"});
  TokenClaims claims;
  claims.sub = user;
  claims.IssuedAt(call.gw.NowMs());
  std::int64_t seconds = ttl.value_or(kDefaultTokenSeconds);
  if (seconds > 0) claims.exp = claims.iat + seconds;
  claims.admin = admin;
  json out = {{"token", MintToken(claims, *secret)}, {"exp", nullptr}};
  if (claims.exp) out["exp"] = *claims.exp;
  call.Reply(out);
}

}  // namespace

std::vector<ApiRoute> UserRoutes() {
  return {
      {"GET", "/api/v1/users", ListUsers},
      {"POST", "/api/v1/users", AddUser},
      {"GET", "/api/v1/users/{}", ShowUser},
      {"DELETE", "/api/v1/users/{}", DeleteUser},
      {"PUT", "/api/v1/users/{}/password", SetPassword},
      {"POST", "/api/v1/users/{}/password", SetPassword},
      {"POST", "/api/v1/users/{}/disable", DisableUser},
      {"POST", "/api/v1/users/{}/enable", EnableUser},
      {"POST", "/api/v1/tokens", MintTokenFor},
  };
}

}  // namespace chatctl::relay
