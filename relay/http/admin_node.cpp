// The admin API's node: the cluster as this node sees it (open, like /readyz), the gateway's
// counters, and publishing a message as any user (docs/admin-api.md "Node", "Publish").
#include "lib/names.h"
#include "relay/http/admin_api.h"

namespace chatctl::relay {
namespace {

using nlohmann::json;

void Nodes(ApiCall& call) { call.Reply(NodesJson(call.gw.Snapshot())); }

void Stats(ApiCall& call) {
  const GatewayContext& gw = call.gw;
  call.Reply({{"node", gw.config.node_id},
              {"sessions", gw.sessions.size()},
              {"channels", gw.channels.room_count()},
              {"users_online", gw.channels.user_count()},
              {"messages_accepted", gw.stats.messages_accepted},
              {"messages_replicated", gw.stats.messages_replicated},
              {"deliveries", gw.stats.deliveries},
              {"store_errors", gw.stats.store_errors},
              {"slow_closes", gw.stats.slow_closes},
              {"writes_in_flight", gw.commits.in_flight()}});
}

void Publish(ApiCall& call) {
  auto& body = call.body();
  std::string from = body.User("from", false).value_or("system");
  std::string channel = body.String("channel", false).value_or("");
  std::string to = body.User("to", false).value_or("");
  std::string text = body.String("text", true).value_or("");
  if (call.BadBody()) return;
  if (channel.empty() == to.empty()) return call.Fail({"bad_request", "give 'channel' or 'to'"});
  if (!to.empty()) channel = DmChannel(from, to);
  if (!IsValidRoomName(channel) && !ParseDmChannel(channel)) {
    return call.Fail({"bad_request", "invalid channel name"});
  }
  GatewayContext& gw = call.gw;
  if (Status rule = protocol::CheckMessageText(text, gw.config.limits); !rule.ok()) {
    return call.Fail(rule.error());
  }
  if (gw.draining) return call.Fail({"unavailable", "node shutting down"});
  WriteJob job;
  job.message = MakeChatMessage(gw.ids, gw.config.node_id, channel, from, std::move(text));
  HttpResponder respond = call.respond;
  job.done = [respond](const WriteJob& done, const Status& status) {
    if (!status.ok()) return respond(ErrorHttpReply({"unavailable", status.error().message}));
    respond(JsonReply({{"id", IdToString(done.message.id)},
                       {"channel", done.message.channel},
                       {"ts", done.message.ts}}));
  };
  if (!gw.commits.Submit(std::move(job))) call.Fail({"unavailable", "store queue full"});
}

}  // namespace

std::vector<ApiRoute> NodeRoutes() {
  return {
      {"GET", "/api/v1/nodes", Nodes, /*open=*/true},
      {"GET", "/api/v1/stats", Stats},
      {"POST", "/api/v1/publish", Publish},
  };
}

}  // namespace chatctl::relay
