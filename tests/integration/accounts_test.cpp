// Accounts and tokens against a real `chatctl serve` with a secret: password login and sign-up,
// disabled and deleted users, and who may call the admin API. Password hashing costs a fraction
// of a second per account, so each case makes as few as it can.
#include <catch2/catch.hpp>

#include <unistd.h>

#include "support/process.h"
#include "support/raw_ws.h"
#include "support/requests.h"

using namespace chatctl::test;
using nlohmann::json;

namespace {

// A node with a secret, and an administrator's token for it.
struct SecretNode {
  explicit SecretNode(const TempDir& dir, std::vector<std::string> extra = {})
      : secret(WriteSecret(dir.path())), node(dir.path() + "/node", Args(secret, extra)) {
    admin = MintToken(secret, "root", {"--admin"});
  }
  static std::vector<std::string> Args(const std::string& secret, std::vector<std::string> extra) {
    extra.insert(extra.begin(), {"--secret-file", secret});
    return extra;
  }
  HttpResult Api(const std::string& method, const std::string& path, const json& body = nullptr) {
    return HttpRequest(node.port(), method, path, body.is_null() ? "" : body.dump(), admin);
  }
  void AddUser(const std::string& name, const std::string& password) {
    auto added = Api("POST", "/api/v1/users", {{"name", name}, {"password", password}});
    INFO(added.body);
    REQUIRE(added.status == 200);
  }
  std::string secret;
  Node node;
  std::string admin;
};

json PasswordHello(const std::string& user, const std::string& password) {
  return {{"type", "hello"}, {"user", user}, {"password", password}};
}

// The token a password login's welcome carries.
std::string LoginToken(int port, const std::string& user, const std::string& password) {
  auto ws = SayHello(port, PasswordHello(user, password));
  auto welcome = ws->ReadType("welcome", 10s);
  REQUIRE(welcome);
  REQUIRE((*welcome)["token"].is_string());
  return (*welcome)["token"];
}

std::string ErrorCode(const HttpResult& r) {
  json body = json::parse(r.body, nullptr, false);
  return body.is_object() && body.contains("error") ? body["error"]["code"].get<std::string>() : "";
}

}  // namespace

TEST_CASE("a right password is welcomed with a token that itself logs in", "[auth]") {
  TempDir dir;
  SecretNode n(dir);
  n.AddUser("alice", "correct horse");
  auto ws = SayHello(n.node.port(), PasswordHello("alice", "correct horse"));
  auto welcome = ws->ReadType("welcome", 10s);
  REQUIRE(welcome);
  CHECK((*welcome)["user"] == "alice");
  REQUIRE((*welcome)["token"].is_string());
  auto again = TokenSession(n.node.port(), (*welcome)["token"]);
  CHECK(Ask(*again, {{"type", "ping"}})["type"] == "pong");
  // It is a user's token, not an administrator's.
  auto api = HttpRequest(n.node.port(), "GET", "/api/v1/stats", "", (*welcome)["token"]);
  CHECK(api.status == 403);
}

TEST_CASE("a wrong password and an unknown user are both closed with 4401", "[auth]") {
  TempDir dir;
  SecretNode n(dir);
  n.AddUser("alice", "correct horse");
  auto wrong = SayHello(n.node.port(), PasswordHello("alice", "battery staple"));
  CHECK(wrong->WaitClosed(10s) == 4401);
  CHECK(wrong->close_reason() == "wrong user name or password");
  auto unknown = SayHello(n.node.port(), PasswordHello("nobody", "correct horse"));
  CHECK(unknown->WaitClosed(10s) == 4401);
  CHECK(unknown->close_reason() == "wrong user name or password");
}

TEST_CASE(
    "an address that spent its ten attempts is refused with 4429 at once, even the right "
    "password",
    "[auth]") {
  TempDir dir;
  SecretNode n(dir);
  n.AddUser("alice", "correct horse");
  // Ten wrong guesses at once: each is charged as it arrives, before any is checked.
  std::vector<std::unique_ptr<RawWs>> guesses;
  for (int i = 0; i < 10; ++i) {
    guesses.push_back(
        SayHello(n.node.port(), PasswordHello("alice", "guess " + std::to_string(i))));
  }
  auto right = SayHello(n.node.port(), PasswordHello("alice", "correct horse"));
  CHECK(right->WaitClosed(10s) == 4429);
  CHECK(right->close_reason() == "too many failed logins from this address; try again later");
  int wrong = 0, at_once = 0;
  for (auto& g : guesses) {
    auto code = g->WaitClosed(15s);
    if (code == 4401) ++wrong;
    if (code == 4429) ++at_once;  // past the address's share of waiting checks
  }
  CHECK(wrong + at_once == 10);
  CHECK(wrong >= 2);
  // Tokens are not throttled: the address may still log in with one.
  auto token = TokenSession(n.node.port(), MintToken(n.secret, "alice"));
  CHECK(Ask(*token, {{"type", "ping"}})["type"] == "pong");
  std::string metrics = HttpBody(HttpGet(n.node.port(), "/metrics"));
  CHECK_THAT(metrics, Catch::Contains("chatctl_logins_failed_total " + std::to_string(wrong)));
  CHECK_THAT(metrics,
             Catch::Contains("chatctl_logins_throttled_total " + std::to_string(at_once + 1)));
}

TEST_CASE("a password flood from one address is refused at once and never holds up another's login",
          "[auth][flood]") {
  TempDir dir;
  SecretNode n(dir);
  n.AddUser("alice", "correct horse");
  // 200 wrong logins opened at once from 127.0.0.1: 100 for alice, 100 for names nobody has.
  std::vector<std::unique_ptr<RawWs>> flood;
  for (int i = 0; i < 200; ++i) flood.push_back(std::make_unique<RawWs>(n.node.port()));
  for (int i = 0; i < 200; ++i) {
    std::string user = i % 2 == 0 ? "alice" : "nobody" + std::to_string(i);
    flood[i]->SendJson(PasswordHello(user, "guess " + std::to_string(i)));
  }
  // Right away, the right password for alice from another address.
  auto started = std::chrono::steady_clock::now();
  RawWs other(n.node.port(), "/ws", true, 0, "127.0.0.2");
  other.SendJson(PasswordHello("alice", "correct horse"));
  auto welcome = other.ReadType("welcome", 15s);
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  REQUIRE(welcome);
  WARN("the other address's login took " << waited.count() << " ms during the flood");
  // Within a second on a quiet machine (a couple of argon2id checks); the bound leaves room for
  // a loaded one. Before the fix it waited behind the whole flood and was closed after 10 s.
  CHECK(waited < 3s);

  int throttled = 0, refused = 0, other_code = 0;
  for (auto& ws : flood) {
    auto code = ws->WaitClosed(15s);
    if (code == 4429) {
      ++throttled;
    } else if (code == 4401 && ws->close_reason() == "wrong user name or password") {
      ++refused;
    } else {
      ++other_code;
      UNSCOPED_INFO("closed " << code.value_or(-1) << " " << ws->close_reason());
    }
  }
  // Ten attempts are the address's burst; the rest are refused before any hashing.
  CHECK(refused <= 10);
  CHECK(throttled >= 190);
  CHECK(other_code == 0);
  std::string metrics = HttpBody(HttpGet(n.node.port(), "/metrics"));
  CHECK_THAT(metrics, !Catch::Contains("chatctl_logins_throttled_total 0"));
}

TEST_CASE("register is forbidden on a node without --allow-register and the name stays free",
          "[auth]") {
  TempDir dir;
  SecretNode n(dir);
  RawWs ws(n.node.port());
  ws.SendJson({{"type", "register"}, {"ref", 1}, {"user", "carol"}, {"password", "long enough"}});
  auto err = ws.ReadType("error");
  REQUIRE(err);
  CHECK((*err)["code"] == "forbidden");
  CHECK((*err)["ref"] == 1);
  // The connection stays open, still before welcome, and no account was made.
  ws.SendJson({{"type", "ping"}, {"ref", 2}});
  auto next = ws.ReadJson();
  REQUIRE(next);
  CHECK((*next)["code"] == "unauthorized");
  CHECK(n.Api("GET", "/api/v1/users/carol").status == 404);
}

TEST_CASE(
    "register on a node with --allow-register welcomes with a token and a taken name conflicts",
    "[auth]") {
  TempDir dir;
  SecretNode n(dir, {"--allow-register"});
  std::string token;
  {
    auto ws = SayHello(n.node.port(),
                       {{"type", "register"}, {"user", "carol"}, {"password", "long enough"}});
    auto welcome = ws->ReadType("welcome", 10s);
    REQUIRE(welcome);
    CHECK((*welcome)["user"] == "carol");
    REQUIRE((*welcome)["token"].is_string());
    token = (*welcome)["token"];
  }
  auto session = TokenSession(n.node.port(), token);

  RawWs again(n.node.port());
  again.SendJson(
      {{"type", "register"}, {"ref", 1}, {"user", "carol"}, {"password", "another one"}});
  auto err = again.ReadType("error", 10s);
  REQUIRE(err);
  CHECK((*err)["code"] == "conflict");
  // The first password still stands; the second does not log in.
  CHECK(HelloCloseCode(n.node.port(), PasswordHello("carol", "another one")) == 4401);
  CHECK(HelloCloseCode(n.node.port(), PasswordHello("carol", "long enough")) == 0);
}

TEST_CASE("a disabled user is closed with 4403, its old token refused, and enable restores it",
          "[auth]") {
  TempDir dir;
  SecretNode n(dir);
  std::string token = MintToken(n.secret, "carol");
  auto carol = TokenSession(n.node.port(), token);
  auto bob = TokenSession(n.node.port(), MintToken(n.secret, "bob"));

  auto disabled = n.Api("POST", "/api/v1/users/carol/disable");
  INFO(disabled.body);
  REQUIRE(disabled.status == 200);
  CHECK(json::parse(disabled.body)["disabled"] == true);
  CHECK(carol->WaitClosed() == 4403);
  CHECK(HelloCloseCode(n.node.port(), {{"type", "hello"}, {"token", token}}) == 4403);
  CHECK(Pending(*bob).empty());

  REQUIRE(n.Api("POST", "/api/v1/users/carol/enable").status == 200);
  CHECK(HelloCloseCode(n.node.port(), {{"type", "hello"}, {"token", token}}) == 0);
}

TEST_CASE("a password change refuses the tokens issued before it, here and on the admin API",
          "[auth]") {
  TempDir dir;
  SecretNode n(dir);
  n.AddUser("erin", "correct horse");
  std::string old_token = LoginToken(n.node.port(), "erin", "correct horse");
  std::string old_admin = MintToken(n.secret, "erin", {"--admin"});
  REQUIRE(HelloCloseCode(n.node.port(), {{"type", "hello"}, {"token", old_token}}) == 0);
  REQUIRE(HttpRequest(n.node.port(), "GET", "/api/v1/stats", "", old_admin).status == 200);

  auto changed = n.Api("PUT", "/api/v1/users/erin/password", {{"password", "battery staple"}});
  INFO(changed.body);
  REQUIRE(changed.status == 200);
  auto stale = SayHello(n.node.port(), {{"type", "hello"}, {"token", old_token}});
  CHECK(stale->WaitClosed() == 4401);
  CHECK(stale->close_reason().find("password") != std::string::npos);
  auto api = HttpRequest(n.node.port(), "GET", "/api/v1/stats", "", old_admin);
  CHECK(api.status == 401);
  CHECK(ErrorCode(api) == "unauthorized");
  CHECK(SayHello(n.node.port(), PasswordHello("erin", "correct horse"))->WaitClosed(10s) == 4401);

  // Tokens issued after the change log in (their `iat` has milliseconds, so no wait is needed).
  std::string fresh = LoginToken(n.node.port(), "erin", "battery staple");
  CHECK(HelloCloseCode(n.node.port(), {{"type", "hello"}, {"token", fresh}}) == 0);
  CHECK(HttpRequest(n.node.port(), "GET", "/api/v1/stats", "",
                    MintToken(n.secret, "erin", {"--admin"}))
            .status == 200);
}

TEST_CASE("a deleted user is closed with 4403 and its password and token no longer log in",
          "[auth]") {
  TempDir dir;
  SecretNode n(dir);
  n.AddUser("dave", "correct horse");
  CHECK(HelloCloseCode(n.node.port(), PasswordHello("dave", "correct horse")) == 0);
  std::string token = MintToken(n.secret, "dave");
  auto dave = TokenSession(n.node.port(), token);

  auto deleted = n.Api("DELETE", "/api/v1/users/dave");
  INFO(deleted.body);
  REQUIRE(deleted.status == 200);
  CHECK(dave->WaitClosed() == 4403);
  auto login = SayHello(n.node.port(), PasswordHello("dave", "correct horse"));
  CHECK(login->WaitClosed(10s) == 4401);
  CHECK(HelloCloseCode(n.node.port(), {{"type", "hello"}, {"token", token}}) == 4401);
  CHECK(n.Api("GET", "/api/v1/users/dave").status == 404);
}

TEST_CASE("the admin API wants an unexpired, unforged administrator's token", "[auth]") {
  TempDir dir;
  SecretNode n(dir);
  int port = n.node.port();

  auto none = HttpRequest(port, "GET", "/api/v1/stats");
  CHECK(none.status == 401);
  CHECK(ErrorCode(none) == "unauthorized");

  std::string forged = n.admin;
  forged[forged.size() - 3] = forged[forged.size() - 3] == 'A' ? 'B' : 'A';
  auto bad = HttpRequest(port, "GET", "/api/v1/stats", "", forged);
  CHECK(bad.status == 401);
  CHECK(ErrorCode(bad) == "unauthorized");

  auto plain = HttpRequest(port, "GET", "/api/v1/stats", "", MintToken(n.secret, "carol"));
  CHECK(plain.status == 403);
  CHECK(ErrorCode(plain) == "forbidden");

  // None of the refused callers may change anything either.
  for (const std::string& token : {std::string(), forged, MintToken(n.secret, "carol")}) {
    auto created =
        HttpRequest(port, "POST", "/api/v1/channels", R"({"name":"sneaky","private":true})", token);
    CHECK((created.status == 401 || created.status == 403));
  }
  CHECK(n.Api("GET", "/api/v1/channels/sneaky").status == 404);

  auto ok = n.Api("GET", "/api/v1/stats");
  CHECK(ok.status == 200);
  CHECK(json::parse(ok.body).contains("sessions"));

  // The one wait of the suite for a token to expire. `exp` counts whole seconds, so a 2 s token
  // minted just now is good for at least one more second, and surely expired 3.2 s later.
  std::string expiring = MintToken(n.secret, "root", {"--admin", "--ttl", "2s"});
  CHECK(HttpRequest(port, "GET", "/api/v1/stats", "", expiring).status == 200);
  usleep(3200 * 1000);
  auto expired = HttpRequest(port, "GET", "/api/v1/stats", "", expiring);
  CHECK(expired.status == 401);
  CHECK(ErrorCode(expired) == "unauthorized");
}

TEST_CASE("a disabled administrator's token is refused by the admin API", "[auth]") {
  TempDir dir;
  SecretNode n(dir);
  std::string other = MintToken(n.secret, "ops", {"--admin"});
  REQUIRE(HttpRequest(n.node.port(), "GET", "/api/v1/stats", "", other).status == 200);
  REQUIRE(n.Api("POST", "/api/v1/users/ops/disable").status == 200);
  auto refused = HttpRequest(n.node.port(), "GET", "/api/v1/stats", "", other);
  CHECK(refused.status == 403);
  CHECK(ErrorCode(refused) == "forbidden");
  auto change = HttpRequest(n.node.port(), "POST", "/api/v1/users/ops/enable", "", other);
  CHECK(change.status == 403);
  CHECK(json::parse(n.Api("GET", "/api/v1/users/ops").body)["disabled"] == true);
}

TEST_CASE("a deleted administrator's token is refused by the admin API as unauthorized", "[auth]") {
  TempDir dir;
  SecretNode n(dir);
  n.AddUser("ops", "correct horse");
  std::string other = MintToken(n.secret, "ops", {"--admin"});
  REQUIRE(HttpRequest(n.node.port(), "GET", "/api/v1/stats", "", other).status == 200);
  REQUIRE(n.Api("DELETE", "/api/v1/users/ops").status == 200);
  auto refused = HttpRequest(n.node.port(), "POST", "/api/v1/ban", R"({"user":"carol"})", other);
  CHECK(refused.status == 401);
  CHECK(ErrorCode(refused) == "unauthorized");
  CHECK(json::parse(n.Api("GET", "/api/v1/bans").body)["bans"].empty());
}

TEST_CASE("a node in open mode on loopback answers the admin API without a token", "[auth]") {
  TempDir dir;
  Node node(dir.path());
  auto stats = HttpRequest(node.port(), "GET", "/api/v1/stats");
  CHECK(stats.status == 200);
  auto created = HttpRequest(node.port(), "POST", "/api/v1/channels", R"({"name":"open"})");
  CHECK(created.status == 200);
  CHECK(json::parse(created.body)["kind"] == "public");
}
