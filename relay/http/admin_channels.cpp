// The admin API's channels: list, create, info, delete, topic, presence and members
// (docs/admin-api.md "Channels").
#include <map>

#include "lib/names.h"
#include "lib/state_tables.h"
#include "relay/http/admin_api.h"

namespace chatctl::relay {
namespace {

using control::Role;
using nlohmann::json;

struct ChannelInfo {
  Result<ChannelSummary> summary = ChannelSummary{};
  Result<Page> last = Page{};
};

// Channels with messages, and created rooms that have none yet, by name.
void ListChannels(ApiCall& call) {
  std::string prefix = call.Query("prefix");
  int limit = call.ListLimit();
  GatewayContext& gw = call.gw;
  HttpResponder respond = call.respond;
  call.Ask<Result<std::vector<ChannelSummary>>>(
      *gw.queries, [prefix, limit](Store& store) { return store.state().Channels(prefix, limit); },
      [&gw, respond, prefix, limit](Result<std::vector<ChannelSummary>> list) {
        if (!list.ok()) return respond(ErrorHttpReply(list.error()));
        std::map<std::string, ChannelSummary> all;
        for (const auto& c : *list) {
          if (c.messages > 0) all[c.name] = c;
        }
        for (const auto& [name, room] : gw.directory.rooms()) {
          if (room.exists && name.rfind(prefix, 0) == 0) all.emplace(name, ChannelSummary{name});
        }
        json out = json::array();
        for (const auto& [name, c] : all) {
          if (static_cast<int>(out.size()) == limit) break;
          const control::RoomRecord* room = gw.directory.Room(name);
          bool priv = room != nullptr && room->exists && room->is_private;
          out.push_back(
              {{"name", name},
               {"kind", IsDmChannel(name) ? "dm" : (priv ? "private" : "public")},
               {"messages", c.messages},
               {"last_id", c.last_id == 0 ? json(nullptr) : json(IdToString(c.last_id))}});
        }
        respond(JsonReply({{"channels", out}}));
      });
}

void CreateChannel(ApiCall& call) {
  std::string name = call.body().Room("name", true).value_or("");
  bool is_private = call.body().Boolean("private").value_or(false);
  std::string topic = call.body().String("topic", false).value_or("");
  std::string owner = call.body().User("owner", false).value_or("");
  if (call.BadBody()) return;
  if (owner.empty()) owner = call.actor;
  auto plan = PlanRoomCreate(call.gw.directory, name, is_private, topic, owner);
  if (!plan.ok()) return call.Fail(plan.error());
  HttpResponder respond = call.respond;
  bool submitted = call.gw.CommitControl(
      *plan, call.actor, [respond, name, owner](const WriteJob& job, const Status& status) {
        if (!status.ok()) return respond(ErrorHttpReply({"unavailable", status.error().message}));
        if (!RoomCreateStood(job, owner)) {
          return respond(ErrorHttpReply({"conflict", "channel '" + name + "' exists"}));
        }
        respond(JsonReply(protocol::RoomObject(name, &*job.room_after)));
      });
  if (!submitted) call.Fail({"unavailable", "store queue full; try again"});
}

void ChannelInfoOf(ApiCall& call) {
  auto name = call.ChannelParam(0);
  if (!name) return;
  GatewayContext& gw = call.gw;
  MessageId floor = gw.directory.HistoryFloor(*name);
  std::size_t online = gw.channels.OnlineIn(*name).size();
  HttpResponder respond = call.respond;
  call.Ask<ChannelInfo>(
      *gw.queries,
      [channel = *name, floor](Store& store) {
        return ChannelInfo{store.state().Channel(channel), store.Newest(channel, 1, floor)};
      },
      [&gw, respond, channel = *name, online](ChannelInfo info) {
        if (!info.summary.ok()) return respond(ErrorHttpReply(info.summary.error()));
        const control::RoomRecord* r = gw.directory.Room(channel);
        if (info.summary->messages == 0 && (r == nullptr || !r->exists)) {
          return respond(ErrorHttpReply({"not_found", "no channel '" + channel + "'"}));
        }
        json out = protocol::RoomObject(channel, r);
        out["members"] = r != nullptr ? r->members.size() : 0;
        out["online"] = online;
        out["messages"] = info.summary->messages;
        out["last_message"] = nullptr;
        if (info.last.ok() && !info.last->messages.empty()) {
          out["last_message"] = protocol::MessageObjectJson(info.last->messages.back());
        }
        respond(JsonReply(out));
      });
}

void DeleteChannel(ApiCall& call) {
  auto name = call.ChannelParam(0);
  if (!name) return;
  ControlPlan plan;
  plan.kind = control::kRoomDelete;
  plan.key = control::RoomKey(*name);
  call.Commit(plan, {{"deleted", *name}});
}

void SetTopic(ApiCall& call) {
  auto name = call.ChannelParam(0);
  if (!name) return;
  std::string topic = call.body().String("topic", true).value_or("");
  if (call.BadBody()) return;
  call.Commit(PlanTopic(*name, topic), {{"name", *name}, {"topic", topic}});
}

void Presence(ApiCall& call) {
  auto name = call.ChannelParam(0);
  if (!name) return;
  call.Reply({{"channel", *name}, {"users", call.gw.channels.OnlineIn(*name)}});
}

void Members(ApiCall& call) {
  auto name = call.ChannelParam(0);
  if (!name) return;
  json out = json::array();
  if (const control::RoomRecord* room = call.gw.directory.Room(*name)) {
    for (const auto& [user, role] : room->members) {
      out.push_back({{"user", user}, {"role", control::RoleName(role)}});
    }
  }
  call.Reply({{"members", out}});
}

void AddMember(ApiCall& call) {
  auto name = call.ChannelParam(0);
  if (!name) return;
  std::string user = call.body().User("user", true).value_or("");
  std::string role = call.body().String("role", false).value_or("member");
  if (call.BadBody()) return;
  auto parsed = control::ParseRole(role);
  if (!parsed || *parsed == Role::kNone) {
    return call.Fail({"bad_request", "field 'role' must be member, admin or owner"});
  }
  call.Commit(PlanMember(call.gw.directory, *name, user, role), {{"user", user}, {"role", role}});
}

void RemoveMember(ApiCall& call) {
  auto name = call.ChannelParam(0);
  if (!name) return;
  const std::string& user = call.params[1];
  call.Commit(PlanMember(call.gw.directory, *name, user, "none"),
              {{"user", user}, {"role", "none"}});
}

}  // namespace

std::vector<ApiRoute> ChannelRoutes() {
  return {
      {"GET", "/api/v1/channels", ListChannels},
      {"POST", "/api/v1/channels", CreateChannel},
      {"GET", "/api/v1/channels/{}", ChannelInfoOf},
      {"DELETE", "/api/v1/channels/{}", DeleteChannel},
      {"PUT", "/api/v1/channels/{}/topic", SetTopic},
      {"POST", "/api/v1/channels/{}/topic", SetTopic},
      {"GET", "/api/v1/channels/{}/presence", Presence},
      {"GET", "/api/v1/channels/{}/members", Members},
      {"POST", "/api/v1/channels/{}/members", AddMember},
      {"DELETE", "/api/v1/channels/{}/members/{}", RemoveMember},
  };
}

}  // namespace chatctl::relay
