// The admin HTTP API under /api/v1/ (docs/admin-api.md), on the gateway thread. What the gateway
// knows (stats, rooms, bans, presence) is answered at once; what the store holds (users, channel
// counts) is read on the query worker; changes become control events and are answered once
// durable, like a `send`.
#include <libwebsockets.h>

#include <chrono>
#include <cstdlib>

#include "lib/auth/jwt.h"
#include "lib/auth/password.h"
#include "lib/log.h"
#include "lib/names.h"
#include "lib/state_tables.h"
#include "lib/utf8.h"
#include "relay/gateway.h"
#include "relay/store_writer.h"
#include "relay/worker.h"

namespace chatctl::relay {
namespace {

using control::Role;
using nlohmann::json;

constexpr int kDefaultListLimit = 100;
constexpr int kMaxListLimit = 1000;

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

json UserJson(const control::UserRecord& u) {
  json j = {{"name", u.name},
            {"account", u.account},
            {"admin", u.admin},
            {"disabled", u.disabled},
            {"banned_until", nullptr}};
  if (u.ban_until) j["banned_until"] = *u.ban_until;
  return j;
}

// Reads a JSON object body; fields are then read with the helpers below, which record the first
// problem so a handler reads straight through and checks once.
class Body {
 public:
  explicit Body(const std::string& text) {
    if (text.empty()) {
      j_ = json::object();
      return;
    }
    j_ = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j_.is_discarded()) {
      error_ = Error{"bad_request", "the body is not valid JSON (UTF-8)"};
    } else if (!j_.is_object()) {
      error_ = Error{"bad_request", "the body must be a JSON object"};
    }
  }
  const std::optional<Error>& error() const { return error_; }

  std::optional<std::string> String(const char* key, bool required) {
    if (error_) return std::nullopt;
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) {
      if (required) error_ = Error{"bad_request", std::string("missing field '") + key + "'"};
      return std::nullopt;
    }
    if (!it->is_string()) {
      error_ = Error{"bad_request", std::string("field '") + key + "' must be a string"};
      return std::nullopt;
    }
    return it->get<std::string>();
  }
  bool Bool(const char* key) {
    auto it = j_.find(key);
    if (error_ || it == j_.end() || it->is_null()) return false;
    if (!it->is_boolean()) {
      error_ = Error{"bad_request", std::string("field '") + key + "' must be true or false"};
      return false;
    }
    return it->get<bool>();
  }
  std::optional<std::int64_t> Int(const char* key, std::int64_t min, std::int64_t max) {
    auto it = j_.find(key);
    if (error_ || it == j_.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer() || it->get<std::int64_t>() < min ||
        it->get<std::int64_t>() > max) {
      error_ = Error{"bad_request", std::string("field '") + key + "' must be an integer from " +
                                        std::to_string(min) + " to " + std::to_string(max)};
      return std::nullopt;
    }
    return it->get<std::int64_t>();
  }
  std::string User(const char* key, bool required = true) {
    auto name = String(key, required);
    if (name && !IsValidUserName(*name)) {
      error_ = Error{"bad_request", "invalid user name in field '" + std::string(key) + "'"};
    }
    return name.value_or("");
  }
  std::string Room(const char* key, bool required = true) {
    auto name = String(key, required);
    if (name && !IsValidRoomName(*name)) {
      error_ = Error{"bad_request", "invalid room name in field '" + std::string(key) + "'"};
    }
    return name.value_or("");
  }

 private:
  json j_;
  std::optional<Error> error_;
};

int ListLimit(const HttpRequest& r) {
  auto it = r.query.find("limit");
  if (it == r.query.end()) return kDefaultListLimit;
  int n = std::atoi(it->second.c_str());
  return n < 1 ? 1 : (n > kMaxListLimit ? kMaxListLimit : n);
}

std::string QueryArg(const HttpRequest& r, const char* key) {
  auto it = r.query.find(key);
  return it == r.query.end() ? std::string() : it->second;
}

}  // namespace

std::optional<Error> Gateway::RefuseApiCaller(const HttpRequest& request,
                                              std::string& actor) const {
  actor = "operator";  // who changes show as `by`: the token's user, or this
  if (request.bearer.empty()) {
    if (config_.open_mode && request.from_loopback) return std::nullopt;
    return Error{"unauthorized", "send 'Authorization: Bearer <token>' with an admin token"};
  }
  if (!config_.secret) {
    return Error{"unauthorized", "this node has no secret configured and cannot verify tokens"};
  }
  auto claims = VerifyToken(request.bearer, *config_.secret, NowMs() / 1000);
  if (!claims.ok()) return claims.error();
  if (auto refused = directory_.RefuseUser(claims->sub, NowMs())) return refused;
  if (auto stale = directory_.RefuseToken(claims->sub, claims->iat_ms)) return stale;
  if (!claims->admin) return Error{"forbidden", "the token is not an administrator's"};
  actor = claims->sub;
  return std::nullopt;
}

void Gateway::HandleApi(std::uint64_t http_id, const HttpRequest& request) {
  auto respond = [this, http_id](HttpReply reply) { Respond(http_id, std::move(reply)); };
  auto fail = [&](std::string code, std::string message) {
    respond(ErrorHttpReply({std::move(code), std::move(message)}));
  };
  std::string actor;
  if (auto refused = RefuseApiCaller(request, actor)) {
    return respond(ErrorHttpReply(*refused));
  }
  std::vector<std::string> p = SplitPath(request.path);
  if (p.size() < 3 || p[0] != "api" || p[1] != "v1") return fail("not_found", "no such endpoint");
  p.erase(p.begin(), p.begin() + 2);
  const std::string& m = request.method;
  Body body(request.body);
  if (body.error()) return respond(ErrorHttpReply(*body.error()));

  // Hands a control event to the store and answers `fields` once it is durable.
  auto submit = [&](std::string_view kind, std::string key, json args, json fields) {
    Message event =
        control::MakeEvent(kind, std::move(key), actor, args.dump(), ids_.Next(), config_.node_id);
    bool ok = SubmitControl(
        std::move(event), [this, http_id, fields](const WriteJob&, const std::optional<Error>& e) {
          Respond(http_id, e ? ErrorHttpReply({"unavailable", e->message}) : JsonReply(fields));
        });
    if (!ok) fail("unavailable", "store queue full or node shutting down; try again");
  };
  auto errand = [&](Worker& worker, std::function<std::function<void()>(Store&)> job) {
    if (!Errand(worker, std::move(job))) fail("unavailable", "node busy; try again");
  };
  auto bad = [&]() { return body.error().has_value(); };
  auto bad_reply = [&]() { respond(ErrorHttpReply(*body.error())); };

  // --- nodes, stats ---
  if (p[0] == "stats" && p.size() == 1 && m == "GET") {
    return respond(JsonReply({{"node", config_.node_id},
                              {"sessions", sessions_.size()},
                              {"channels", channel_index_.size()},
                              {"users_online", user_index_.size()},
                              {"messages_accepted", stats_.messages_accepted},
                              {"messages_replicated", stats_.messages_replicated},
                              {"deliveries", stats_.deliveries},
                              {"store_errors", stats_.store_errors},
                              {"slow_closes", stats_.slow_closes},
                              {"writes_in_flight", writes_in_flight_}}));
  }

  // --- channels ---
  if (p[0] == "channels") {
    if (p.size() == 1 && m == "GET") {
      std::string prefix = QueryArg(request, "prefix");
      int limit = ListLimit(request);
      return errand(*queries_, [this, http_id, prefix, limit](Store& store) {
        auto list = store.state().Channels(prefix, limit);
        return std::function<void()>([this, http_id, list, prefix, limit] {
          if (!list.ok()) return Respond(http_id, ErrorHttpReply(list.error()));
          // Channels with messages, and created rooms that have none yet.
          std::map<std::string, ChannelSummary> all;
          for (const auto& c : *list) {
            if (c.messages > 0) all[c.name] = c;
          }
          for (const auto& [name, room] : directory_.rooms()) {
            if (room.exists && name.rfind(prefix, 0) == 0) all.emplace(name, ChannelSummary{name});
          }
          json out = json::array();
          for (const auto& [name, c] : all) {
            if (static_cast<int>(out.size()) == limit) break;
            const control::RoomRecord* room = directory_.Room(name);
            bool priv = room != nullptr && room->exists && room->is_private;
            out.push_back(
                {{"name", name},
                 {"kind", IsDmChannel(name) ? "dm" : (priv ? "private" : "public")},
                 {"messages", c.messages},
                 {"last_id", c.last_id == 0 ? json(nullptr) : json(IdToString(c.last_id))}});
          }
          Respond(http_id, JsonReply({{"channels", out}}));
        });
      });
    }
    if (p.size() == 1 && m == "POST") {
      std::string name = body.Room("name");
      bool priv = body.Bool("private");
      std::string topic = body.String("topic", false).value_or("");
      std::string owner = body.User("owner", false);
      if (bad()) return bad_reply();
      if (owner.empty()) owner = actor;
      const control::RoomRecord* room = directory_.Room(name);
      if (room != nullptr && room->exists) return fail("conflict", "channel '" + name + "' exists");
      Message event =
          control::MakeEvent(control::kRoomCreate, control::RoomKey(name), actor,
                             json({{"private", priv}, {"topic", topic}, {"owner", owner}}).dump(),
                             ids_.Next(), config_.node_id);
      MessageId id = event.id;
      bool ok = SubmitControl(std::move(event), [this, http_id, name, id](
                                                    const WriteJob& job,
                                                    const std::optional<Error>& e) {
        if (e) return Respond(http_id, ErrorHttpReply({"unavailable", e->message}));
        if (!job.room_after || job.room_after->last_id < id || !job.room_after->exists) {
          return Respond(http_id, ErrorHttpReply({"conflict", "channel '" + name + "' exists"}));
        }
        Respond(http_id, JsonReply(protocol::RoomObject(name, &*job.room_after)));
      });
      if (!ok) fail("unavailable", "store queue full; try again");
      return;
    }
    const std::string& name = p.size() > 1 ? p[1] : "";
    if (!IsValidRoomName(name) && !ParseDmChannel(name)) {
      return fail("bad_request", "invalid channel name");
    }
    const control::RoomRecord* room = directory_.Room(name);
    if (p.size() == 2 && m == "GET") {
      MessageId floor = directory_.HistoryFloor(name);
      std::size_t online = OnlineIn(name).size();
      return errand(*queries_, [this, http_id, name, floor, online](Store& store) {
        auto summary = store.state().Channel(name);
        auto last = store.Newest(name, 1, floor);
        return std::function<void()>([this, http_id, name, summary, last, online] {
          if (!summary.ok()) return Respond(http_id, ErrorHttpReply(summary.error()));
          const control::RoomRecord* r = directory_.Room(name);
          if (summary->messages == 0 && (r == nullptr || !r->exists)) {
            return Respond(http_id, ErrorHttpReply({"not_found", "no channel '" + name + "'"}));
          }
          json info = protocol::RoomObject(name, r);
          info["members"] = r != nullptr ? r->members.size() : 0;
          info["online"] = online;
          info["messages"] = summary->messages;
          info["last_message"] = nullptr;
          if (last.ok() && !last->messages.empty()) {
            info["last_message"] = protocol::MessageObjectJson(last->messages.back());
          }
          Respond(http_id, JsonReply(info));
        });
      });
    }
    if (p.size() == 2 && m == "DELETE") {
      return submit(control::kRoomDelete, control::RoomKey(name), json::object(),
                    {{"deleted", name}});
    }
    if (p.size() == 3 && p[2] == "topic" && (m == "PUT" || m == "POST")) {
      std::string topic = body.String("topic", true).value_or("");
      if (bad()) return bad_reply();
      if (CountCodePoints(topic) > 256)
        return fail("too_large", "a topic has at most 256 characters");
      return submit(control::kRoomTopic, control::RoomKey(name), {{"topic", topic}},
                    {{"name", name}, {"topic", topic}});
    }
    if (p.size() == 3 && p[2] == "presence" && m == "GET") {
      auto users = OnlineIn(name);
      return respond(JsonReply({{"channel", name}, {"users", users}}));
    }
    if (p.size() >= 3 && p[2] == "members") {
      if (p.size() == 3 && m == "GET") {
        json out = json::array();
        if (room != nullptr) {
          for (const auto& [user, role] : room->members) {
            out.push_back({{"user", user}, {"role", control::RoleName(role)}});
          }
        }
        return respond(JsonReply({{"members", out}}));
      }
      if (room == nullptr || !room->exists) {
        return fail("not_found", "channel '" + name + "' was not created; create it first");
      }
      if (p.size() == 3 && m == "POST") {
        std::string user = body.User("user");
        std::string role = body.String("role", false).value_or("member");
        if (bad()) return bad_reply();
        auto parsed = control::ParseRole(role);
        if (!parsed || *parsed == Role::kNone) {
          return fail("bad_request", "field 'role' must be member, admin or owner");
        }
        return submit(control::kRoomMember, control::RoomKey(name),
                      {{"user", user}, {"role", role}}, {{"user", user}, {"role", role}});
      }
      if (p.size() == 4 && m == "DELETE") {
        const std::string& user = p[3];
        if (room->RoleOf(user) == Role::kNone) {
          return fail("not_found", "'" + user + "' is not a member of '" + name + "'");
        }
        return submit(control::kRoomMember, control::RoomKey(name),
                      {{"user", user}, {"role", "none"}}, {{"user", user}, {"role", "none"}});
      }
    }
    return fail("not_found", "no such endpoint");
  }

  // --- users ---
  if (p[0] == "users") {
    if (p.size() == 1 && m == "GET") {
      std::string prefix = QueryArg(request, "prefix");
      std::string after = QueryArg(request, "after");
      int limit = ListLimit(request);
      return errand(*queries_, [this, http_id, prefix, after, limit](Store& store) {
        auto users = store.state().Users(prefix, after, limit + 1);
        return std::function<void()>([this, http_id, users, limit] {
          if (!users.ok()) return Respond(http_id, ErrorHttpReply(users.error()));
          json out = json::array();
          for (int i = 0; i < static_cast<int>(users->size()) && i < limit; ++i) {
            out.push_back(UserJson((*users)[static_cast<std::size_t>(i)]));
          }
          bool more = static_cast<int>(users->size()) > limit;
          Respond(http_id, JsonReply({{"users", out}, {"more", more}}));
        });
      });
    }
    if (p.size() == 1 && m == "POST") {
      std::string name = body.User("name");
      std::string password = body.String("password", true).value_or("");
      bool admin = body.Bool("admin");
      if (bad()) return bad_reply();
      if (Status rules = CheckPasswordRules(password); !rules.ok()) {
        return respond(ErrorHttpReply(rules.error()));
      }
      return errand(*passwords_, [this, http_id, name, password, admin, actor](Store& store) {
        auto found = store.state().User(name);
        bool taken = found.ok() && found->has_value() && (*found)->account && !(*found)->deleted;
        auto hash = taken ? Result<std::string>(Error{"conflict", "user '" + name + "' exists"})
                          : HashPassword(password);
        return std::function<void()>([this, http_id, name, admin, actor, hash] {
          if (!hash.ok()) return Respond(http_id, ErrorHttpReply(hash.error()));
          Message event = control::MakeEvent(control::kUserAdd, control::UserKey(name), actor,
                                             json({{"hash", *hash}, {"admin", admin}}).dump(),
                                             ids_.Next(), config_.node_id);
          bool ok = SubmitControl(std::move(event), [this, http_id, name, admin](
                                                        const WriteJob& job,
                                                        const std::optional<Error>& e) {
            if (e) return Respond(http_id, ErrorHttpReply({"unavailable", e->message}));
            if (!job.user_after || job.user_after->created_id != job.message.id) {
              return Respond(http_id, ErrorHttpReply({"conflict", "user '" + name + "' exists"}));
            }
            log::Info("user added", {{"user", name}});
            Respond(http_id, JsonReply({{"name", name}, {"admin", admin}}));
          });
          if (!ok) Respond(http_id, ErrorHttpReply({"unavailable", "store queue full"}));
        });
      });
    }
    const std::string& name = p.size() > 1 ? p[1] : "";
    if (!IsValidUserName(name)) return fail("bad_request", "invalid user name");
    std::string key = control::UserKey(name);
    if (p.size() == 2 && m == "GET") {
      return errand(*queries_, [this, http_id, name](Store& store) {
        auto found = store.state().User(name);
        return std::function<void()>([this, http_id, name, found] {
          if (!found.ok()) return Respond(http_id, ErrorHttpReply(found.error()));
          if (!found->has_value() || (*found)->deleted) {
            return Respond(http_id, ErrorHttpReply({"not_found", "no user '" + name + "'"}));
          }
          Respond(http_id, JsonReply(UserJson(**found)));
        });
      });
    }
    if ((p.size() == 2 && m == "DELETE") || (p.size() == 3 && p[2] == "password")) {
      bool deleting = p.size() == 2;
      std::string password;
      if (!deleting) {
        if (m != "PUT" && m != "POST") return fail("not_found", "no such endpoint");
        password = body.String("password", true).value_or("");
        if (bad()) return bad_reply();
        if (Status rules = CheckPasswordRules(password); !rules.ok()) {
          return respond(ErrorHttpReply(rules.error()));
        }
      }
      return errand(*passwords_, [this, http_id, name, key, password, deleting,
                                  actor](Store& store) {
        auto found = store.state().User(name);
        bool account = found.ok() && found->has_value() && (*found)->account && !(*found)->deleted;
        Result<std::string> hash = std::string();
        if (account && !deleting) hash = HashPassword(password);
        return std::function<void()>([this, http_id, name, key, deleting, actor, account, hash] {
          if (!account) {
            return Respond(http_id, ErrorHttpReply({"not_found", "no account '" + name + "'"}));
          }
          if (!hash.ok()) return Respond(http_id, ErrorHttpReply(hash.error()));
          Message event = control::MakeEvent(
              deleting ? control::kUserDelete : control::kUserPassword, key, actor,
              deleting ? "{}" : json({{"hash", *hash}}).dump(), ids_.Next(), config_.node_id);
          json fields = deleting ? json{{"deleted", name}} : json{{"name", name}};
          bool ok = SubmitControl(std::move(event), [this, http_id, fields](
                                                        const WriteJob&,
                                                        const std::optional<Error>& e) {
            Respond(http_id, e ? ErrorHttpReply({"unavailable", e->message}) : JsonReply(fields));
          });
          if (!ok) Respond(http_id, ErrorHttpReply({"unavailable", "store queue full"}));
        });
      });
    }
    if (p.size() == 3 && m == "POST" && (p[2] == "disable" || p[2] == "enable")) {
      bool disable = p[2] == "disable";
      return submit(disable ? control::kUserDisable : control::kUserEnable, key, json::object(),
                    {{"name", name}, {"disabled", disable}});
    }
    return fail("not_found", "no such endpoint");
  }

  // --- moderation ---
  if (p.size() == 1 && m == "POST" && (p[0] == "kick" || p[0] == "ban" || p[0] == "unban")) {
    std::string user = body.User("user");
    std::string channel = body.Room("channel", false);
    auto seconds = body.Int("seconds", 1, 10LL * 366 * 86400);
    if (bad()) return bad_reply();
    json fields = {{"user", user}, {"channel", channel}};
    std::string key = channel.empty() ? control::UserKey(user) : control::RoomKey(channel);
    if (p[0] == "kick") {
      if (channel.empty()) return submit(control::kUserKick, key, json::object(), fields);
      return submit(control::kRoomKick, key, {{"user", user}}, fields);
    }
    if (p[0] == "ban") {
      std::int64_t until = seconds ? NowMs() + *seconds * 1000 : 0;
      fields["until"] = until;
      if (channel.empty()) return submit(control::kUserBan, key, {{"until", until}}, fields);
      return submit(control::kRoomBan, key, {{"user", user}, {"until", until}}, fields);
    }
    if (channel.empty()) return submit(control::kUserUnban, key, json::object(), fields);
    return submit(control::kRoomUnban, key, {{"user", user}}, fields);
  }
  if (p.size() == 1 && p[0] == "bans" && m == "GET") {
    std::string channel = QueryArg(request, "channel");
    std::int64_t now = NowMs();
    json out = json::array();
    if (channel.empty()) {
      for (const auto& [name, u] : directory_.restricted()) {
        if (u.Banned(now)) out.push_back({{"user", name}, {"until", *u.ban_until}});
      }
    } else if (const control::RoomRecord* r = directory_.Room(channel)) {
      for (const auto& [user, until] : r->bans) {
        if (until == 0 || until > now) out.push_back({{"user", user}, {"until", until}});
      }
    }
    return respond(JsonReply({{"channel", channel}, {"bans", out}}));
  }

  // --- tokens, publish ---
  if (p.size() == 1 && p[0] == "tokens" && m == "POST") {
    std::string user = body.User("user");
    auto ttl = body.Int("ttl_seconds", 0, 10LL * 366 * 86400);
    bool admin = body.Bool("admin");
    if (bad()) return bad_reply();
    if (!config_.secret) return fail("unavailable", "this node has no secret to sign tokens with");
    TokenClaims claims;
    claims.sub = user;
    claims.IssuedAt(NowMs());
    std::int64_t seconds = ttl.value_or(86400);
    if (seconds > 0) claims.exp = claims.iat + seconds;
    claims.admin = admin;
    json out = {{"token", MintToken(claims, *config_.secret)}, {"exp", nullptr}};
    if (claims.exp) out["exp"] = *claims.exp;
    return respond(JsonReply(out));
  }
  if (p.size() == 1 && p[0] == "publish" && m == "POST") {
    std::string from = body.User("from", false);
    if (from.empty()) from = "system";
    std::string channel = body.String("channel", false).value_or("");
    std::string to = body.User("to", false);
    std::string text = body.String("text", true).value_or("");
    if (bad()) return bad_reply();
    if (channel.empty() == to.empty()) return fail("bad_request", "give 'channel' or 'to'");
    if (!to.empty()) channel = DmChannel(from, to);
    if (!IsValidRoomName(channel) && !ParseDmChannel(channel)) {
      return fail("bad_request", "invalid channel name");
    }
    if (text.empty() || text.find('\0') != std::string::npos) {
      return fail("bad_request", "field 'text' must be 1 or more characters, no NUL");
    }
    if (CountCodePoints(text) > config_.limits.max_text_chars) {
      return fail("too_large", "text is longer than " +
                                   std::to_string(config_.limits.max_text_chars) + " characters");
    }
    if (draining_) return fail("unavailable", "node shutting down");
    WriteJob job;
    job.message.id = ids_.Next();
    job.message.ts = IdTimestampMs(job.message.id);
    job.message.channel = channel;
    job.message.from = from;
    job.message.text = std::move(text);
    job.message.origin = config_.node_id;
    job.done = [this, http_id](const WriteJob& done, const std::optional<Error>& e) {
      if (e) return Respond(http_id, ErrorHttpReply({"unavailable", e->message}));
      Respond(http_id, JsonReply({{"id", IdToString(done.message.id)},
                                  {"channel", done.message.channel},
                                  {"ts", done.message.ts}}));
    };
    if (!writer_->Submit(std::move(job))) return fail("unavailable", "store queue full");
    ++writes_in_flight_;
    return;
  }
  fail("not_found", "no such endpoint: " + m + " " + request.path);
}

}  // namespace chatctl::relay
