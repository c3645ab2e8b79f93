// `chatctl admin node list` and `chatctl admin stats`: what one node says about the cluster and
// about itself (GET /api/v1/nodes, GET /api/v1/stats). Read-only.
#include <memory>
#include <string>

#include "cmd/admin_api.h"
#include "cmd/exit_codes.h"

namespace chatctl::cmd {
namespace {

using json = nlohmann::json;

int RunNodeList(ApiOptions& o) {
  const std::string what = "admin node list";
  json answer;
  if (int rc = CallApi(what, o, {"GET", "/nodes", std::nullopt}, answer); rc != kExitOk) return rc;
  if (o.json) return PrintJson(answer);
  // This node's view first, then one row per peer it has heard of.
  json self = answer;
  if (self.is_object()) self.erase("peers");
  if (int rc = PrintFields(self, {"node", "meshed", "caught_up"}); rc != kExitOk) return rc;
  if (!answer.contains("peers") || !answer["peers"].is_array() || answer["peers"].empty()) {
    return PrintLine("peers: none");
  }
  return PrintRows(answer["peers"], {"node", "address", "state", "last_heartbeat_ms", "head_seq",
                                     "applied_seq", "behind"});
}

int RunStats(ApiOptions& o) {
  json answer;
  if (int rc = CallApi("admin stats", o, {"GET", "/stats", std::nullopt}, answer); rc != kExitOk) {
    return rc;
  }
  if (o.json) return PrintJson(answer);
  return PrintFields(answer, {"node", "sessions", "channels", "users_online", "messages_accepted",
                              "messages_replicated", "deliveries", "store_errors", "slow_closes",
                              "writes_in_flight"});
}

}  // namespace

Command SetupAdminNode(CLI::App& admin) {
  CLI::App* noun = admin.add_subcommand("node", "The nodes of the cluster");
  auto o = std::make_shared<ApiOptions>();
  CLI::App* list =
      noun->add_subcommand("list", "This node and the peers it sees: state, heads, lag");
  AddApiOptions(*list, *o);
  return Noun(noun, {{list, [o] { return RunNodeList(*o); }}});
}

Command SetupAdminStats(CLI::App& admin) {
  auto o = std::make_shared<ApiOptions>();
  CLI::App* app = admin.add_subcommand("stats", "Counters of one node: sessions, messages, errors");
  AddApiOptions(*app, *o);
  return {app, [o] { return RunStats(*o); }};
}

}  // namespace chatctl::cmd
