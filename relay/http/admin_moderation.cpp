// The admin API's moderation: kick, ban and unban, in a room or cluster-wide, and the bans in
// force (docs/admin-api.md "Moderation").
#include "relay/http/admin_api.h"

namespace chatctl::relay {
namespace {

using nlohmann::json;

void Moderate(ApiCall& call, std::string_view op) {
  std::string user = call.body().User("user", true).value_or("");
  std::string channel = call.body().Room("channel", false).value_or("");
  auto seconds = call.body().Integer("seconds", 1, control::kMaxBanSeconds);
  if (call.BadBody()) return;
  call.Commit(PlanModeration(op, channel, user, seconds, call.gw.NowMs()));
}

void Kick(ApiCall& call) { Moderate(call, "kick"); }
void Ban(ApiCall& call) { Moderate(call, "ban"); }
void Unban(ApiCall& call) { Moderate(call, "unban"); }

void Bans(ApiCall& call) {
  std::string channel = call.Query("channel");
  std::int64_t now = call.gw.NowMs();
  json out = json::array();
  if (channel.empty()) {
    for (const auto& [name, u] : call.gw.directory.restricted()) {
      if (u.Banned(now)) out.push_back({{"user", name}, {"until", *u.ban_until}});
    }
  } else if (const control::RoomRecord* r = call.gw.directory.Room(channel)) {
    for (const auto& [user, until] : r->bans) {
      if (until == 0 || until > now) out.push_back({{"user", user}, {"until", until}});
    }
  }
  call.Reply({{"channel", channel}, {"bans", out}});
}

}  // namespace

std::vector<ApiRoute> ModerationRoutes() {
  return {
      {"POST", "/api/v1/kick", Kick},
      {"POST", "/api/v1/ban", Ban},
      {"POST", "/api/v1/unban", Unban},
      {"GET", "/api/v1/bans", Bans},
  };
}

}  // namespace chatctl::relay
