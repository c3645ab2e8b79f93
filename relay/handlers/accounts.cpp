// Logins and sign-up over WebSocket (see accounts.h).
#include "relay/handlers/accounts.h"

#include "lib/auth/jwt.h"
#include "lib/auth/password.h"
#include "lib/log.h"
#include "lib/names.h"
#include "lib/state_tables.h"
#include "relay/worker.h"

namespace chatctl::relay {
namespace {

// A password login hands back a token good for this long (the protocol's "a fresh token").
constexpr std::int64_t kLoginTokenSeconds = 24 * 3600;
// Password attempts one address may make: 10 at once, then one every 5 seconds; and one user
// name, from every address together: 30, then one every 2 seconds (three addresses' worth, so one
// address alone never locks the name's owner out). A login that succeeds does not count.
constexpr LoginBudget::Rate kAttemptsPerAddress{0.2, 10};
constexpr LoginBudget::Rate kAttemptsPerUser{0.5, 30};

// Checked in place of a missing account's hash, so a wrong user name costs the same time as a
// wrong password and the answer's delay tells nobody who has an account. Worker thread only.
// Empty if hashing failed (out of memory): then a missing account is refused without the wait.
const std::string& DecoyHash() {
  static const std::string hash = [] {
    auto made = HashPassword("decoy-password-never-used");
    return made.ok() ? *made : std::string();
  }();
  return hash;
}

struct PasswordCheck {
  bool ok = false;
  bool admin = false;
};

}  // namespace

Result<std::string> HashForNewAccount(Store& store, const std::string& user,
                                      const std::string& password) {
  auto found = store.state().User(user);
  if (!found.ok()) return found.error();
  if (found->has_value() && (*found)->account && !(*found)->deleted) {
    return Error{"conflict", "user '" + user + "' exists"};
  }
  return HashPassword(password);
}

Accounts::Accounts(GatewayContext& gw)
    : gw_(gw), attempts_(kAttemptsPerAddress, kAttemptsPerUser) {}

std::uint16_t CloseCodeFor(const Error& refused) {
  return refused.code == "unauthorized" ? protocol::kCloseUnauthorized : protocol::kCloseKicked;
}

void Accounts::Hello(Session& s, const protocol::Ref& ref, const protocol::Hello& hello) {
  if (s.authenticated() || s.login_pending) {
    gw_.SendError(s, ref,
                  {"conflict", s.authenticated() ? "already welcomed as '" + s.user + "'"
                                                 : "a login is already under way"});
    return;
  }
  std::string user;
  bool admin = false;
  if (hello.token) {
    if (!gw_.config.secret) {
      gw_.out.Close(s, protocol::kCloseUnauthorized,
                    "this node has no secret configured and cannot verify tokens");
      return;
    }
    auto claims = VerifyToken(*hello.token, *gw_.config.secret, gw_.NowMs() / 1000);
    if (!claims.ok()) {
      gw_.out.Close(s, protocol::kCloseUnauthorized, claims.error().message);
      return;
    }
    if (Status fresh = gw_.directory.CheckToken(claims->sub, claims->iat_ms); !fresh.ok()) {
      gw_.out.Close(s, protocol::kCloseUnauthorized, fresh.error().message);
      return;
    }
    user = claims->sub;
    admin = claims->admin;
  } else if (hello.password) {
    PasswordHello(s, ref, *hello.user, *hello.password);
    return;
  } else if (hello.user) {
    if (!gw_.config.open_mode) {
      gw_.out.Close(s, protocol::kCloseUnauthorized, "this node requires a token");
      return;
    }
    if (!IsValidUserName(*hello.user)) {
      gw_.out.Close(s, protocol::kCloseUnauthorized, "invalid user name '" + *hello.user + "'");
      return;
    }
    user = *hello.user;
  }
  if (Status allowed = gw_.directory.CheckUser(user, gw_.NowMs()); !allowed.ok()) {
    gw_.out.Close(s, CloseCodeFor(allowed.error()), allowed.error().message);
    return;
  }
  Welcome(s, user, admin, /*with_token=*/false);
}

void Accounts::Welcome(Session& s, const std::string& user, bool admin, bool with_token) {
  s.user = user;
  s.admin = admin;
  gw_.channels.AddUser(s);
  std::optional<std::string> token;
  if (with_token && gw_.config.secret) {
    TokenClaims claims;
    claims.sub = user;
    claims.IssuedAt(gw_.NowMs());
    claims.exp = claims.iat + kLoginTokenSeconds;
    claims.admin = admin;
    token = MintToken(claims, *gw_.config.secret);
  }
  gw_.out.Send(
      s, protocol::Welcome(user, "n" + std::to_string(gw_.config.node_id), gw_.NowMs(), token));
}

void Accounts::ForgetRefilledBudgets(std::int64_t now_ms) { attempts_.ForgetRefilled(now_ms); }

void Accounts::PasswordHello(Session& s, const protocol::Ref& ref, const std::string& user,
                             const std::string& password) {
  if (!IsValidUserName(user)) {
    gw_.out.Close(s, protocol::kCloseUnauthorized, "wrong user name or password");
    return;
  }
  if (Status allowed = gw_.directory.CheckUser(user, gw_.NowMs()); !allowed.ok()) {
    gw_.out.Close(s, CloseCodeFor(allowed.error()), allowed.error().message);
    return;
  }
  // Charged before any argon2id work is queued: a flood is refused here, at once.
  if (auto verdict = attempts_.TryTake(s.peer, user, gw_.NowMs());
      verdict != LoginBudget::Verdict::kAllowed) {
    ++gw_.stats.logins_throttled;
    gw_.out.Close(s, protocol::kCloseRateLimited,
                  verdict == LoginBudget::Verdict::kAddressSpent
                      ? "too many failed logins from this address; try again later"
                      : "too many failed logins for this user; try again later");
    return;
  }
  SessionId id = s.id;
  std::string peer = s.peer;
  auto check_password = [this, id, ref, peer, user, password](PasswordTurns::Finished finished) {
    Session* waiting = gw_.sessions.Find(id);
    if (waiting == nullptr || waiting->closing()) return false;  // gone while it waited
    bool asked = gw_.passwords->Ask<PasswordCheck>(
        [user, password](Store& store) {
          auto found = store.state().User(user);
          bool account =
              found.ok() && found->has_value() && (*found)->account && !(*found)->deleted;
          const std::string& hash = account ? (*found)->hash : DecoyHash();
          PasswordCheck check;
          check.ok = !hash.empty() && VerifyPassword(password, hash) && account;
          check.admin = check.ok && (*found)->admin;
          return check;
        },
        [this, id, peer, user, finished](PasswordCheck check) {
          finished();
          if (check.ok) {
            attempts_.GiveBack(peer, user, gw_.NowMs());
          } else {
            ++gw_.stats.logins_failed;
          }
          Session* session = gw_.sessions.Find(id);
          if (session == nullptr || session->closing()) return;
          session->login_pending = false;
          if (!check.ok) {
            log::Info("login refused", {{"user", user}, {"peer", peer}});
            gw_.out.Close(*session, protocol::kCloseUnauthorized, "wrong user name or password");
            return;
          }
          // Disabled or banned while the password was being checked.
          if (Status allowed = gw_.directory.CheckUser(user, gw_.NowMs()); !allowed.ok()) {
            gw_.out.Close(*session, CloseCodeFor(allowed.error()), allowed.error().message);
            return;
          }
          ++gw_.stats.logins;
          Welcome(*session, user, check.admin, /*with_token=*/true);
        });
    if (!asked) {
      waiting->login_pending = false;
      gw_.SendError(*waiting, ref, {"unavailable", "too many logins at once; try again"});
    }
    return asked;
  };
  s.login_pending = true;
  if (!password_turns_.Add(peer, std::move(check_password))) {
    ++gw_.stats.logins_throttled;
    gw_.out.Close(s, protocol::kCloseRateLimited,
                  "too many logins at once from this address; try again later");
  }
}

void Accounts::Register(Session& s, const protocol::Ref& ref, const protocol::Register& r) {
  if (s.authenticated() || s.login_pending) {
    gw_.SendError(s, ref, {"conflict", "already logged in, or logging in"});
    return;
  }
  if (!gw_.config.allow_register) {
    gw_.SendError(s, ref,
                  {"forbidden", "sign-up is off on this node; ask an operator for an account"});
    return;
  }
  if (Status rules = CheckPasswordRules(r.password); !rules.ok()) {
    gw_.SendError(s, ref, rules.error());
    return;
  }
  if (Status allowed = gw_.directory.CheckUser(r.user, gw_.NowMs()); !allowed.ok()) {
    gw_.SendError(s, ref, {"forbidden", allowed.error().message});
    return;
  }
  s.login_pending = true;
  SessionId id = s.id;
  std::string user = r.user;
  auto hash_job = [this, id, ref, user, password = r.password](PasswordTurns::Finished finished) {
    Session* waiting = gw_.sessions.Find(id);
    if (waiting == nullptr || waiting->closing()) return false;  // gone while it waited
    bool asked = gw_.passwords->Ask<Result<std::string>>(
        [user, password](Store& store) { return HashForNewAccount(store, user, password); },
        [this, id, ref, user, finished](Result<std::string> hash) {
          finished();
          Session* session = gw_.sessions.Find(id);
          if (session == nullptr || session->closing()) return;
          auto fail = [&](const Error& error) {
            session->login_pending = false;
            gw_.SendError(*session, ref, error);
          };
          if (!hash.ok()) return fail(hash.error());
          bool submitted = gw_.CommitControl(
              PlanUserAdd(user, *hash, /*admin=*/false), user,
              [this, id, ref, user](const WriteJob& job, const Status& status) {
                Session* again = gw_.sessions.Find(id);
                if (again == nullptr || again->closing()) return;
                again->login_pending = false;
                if (!status.ok()) {
                  gw_.SendError(*again, ref, {"unavailable", status.error().message});
                } else if (!UserAddStood(job)) {  // another node's sign-up for the name came first
                  gw_.SendError(*again, ref, {"conflict", "user '" + user + "' exists"});
                } else {
                  log::Info("user signed up", {{"user", user}});
                  ++gw_.stats.logins;
                  Welcome(*again, user, /*admin=*/false, /*with_token=*/true);
                }
              });
          if (!submitted) fail({"unavailable", "store queue full; try again"});
        });
    if (!asked) {
      waiting->login_pending = false;
      gw_.SendError(*waiting, ref, {"unavailable", "too many sign-ups at once; try again"});
    }
    return asked;
  };
  if (!password_turns_.Add(s.peer, std::move(hash_job))) {
    s.login_pending = false;
    gw_.SendError(s, ref,
                  {"rate_limited", "too many sign-ups at once from this address; try again"});
  }
}

}  // namespace chatctl::relay
