// `chatctl admin kick|ban|unban|bans`: moderation through the admin API (/api/v1/kick, /ban,
// /unban, /bans). Without --channel each acts on the whole cluster: every session of the user,
// or a ban from every room and every login.
#include <memory>
#include <string>
#include <vector>

#include "cmd/admin_api.h"
#include "cmd/admin_text.h"
#include "cmd/exit_codes.h"

namespace chatctl::cmd {
namespace {

using json = nlohmann::json;

struct ModerationOptions {
  ApiOptions api;
  std::string user;
  std::string channel;
  std::string ban_for;
};

std::string Where(const ModerationOptions& o, const char* cluster_wide) {
  return o.channel.empty() ? std::string(cluster_wide) : "from " + Printable(o.channel);
}

json UserBody(const ModerationOptions& o) {
  json body = {{"user", o.user}};
  if (!o.channel.empty()) body["channel"] = o.channel;
  return body;
}

int RunKick(ModerationOptions& o) {
  json answer;
  if (int rc = CallApi("admin kick", o.api, {"POST", "/kick", UserBody(o)}, answer);
      rc != kExitOk) {
    return rc;
  }
  if (o.api.json) return PrintJson(answer);
  return PrintLine("kicked " + Printable(o.user) + " " + Where(o, "(every session)"));
}

int RunBan(ModerationOptions& o) {
  json body = UserBody(o);
  if (!o.ban_for.empty()) {
    auto seconds = ParseDuration(o.ban_for);
    if (!seconds) {
      return Fail("admin ban", "bad_request",
                  "invalid --for '" + o.ban_for +
                      "' (want e.g. 90s, 30m, 2h or 7d, at most ten years; leave it out for a "
                      "ban without expiry)",
                  kExitUsage);
    }
    body["seconds"] = *seconds;
  }
  json answer;
  if (int rc = CallApi("admin ban", o.api, {"POST", "/ban", body}, answer); rc != kExitOk) {
    return rc;
  }
  if (o.api.json) return PrintJson(answer);
  std::string until = answer.contains("until") ? Cell(answer["until"], "until") : "never";
  return PrintLine("banned " + Printable(o.user) + " " + Where(o, "from the cluster") +
                   (until == "never" ? " (no expiry)" : " until " + until));
}

int RunUnban(ModerationOptions& o) {
  json answer;
  if (int rc = CallApi("admin unban", o.api, {"POST", "/unban", UserBody(o)}, answer);
      rc != kExitOk) {
    return rc;
  }
  if (o.api.json) return PrintJson(answer);
  return PrintLine("unbanned " + Printable(o.user) + " " + Where(o, "from the cluster"));
}

int RunBans(ModerationOptions& o) {
  std::string query = o.channel.empty() ? "" : "?channel=" + PercentEncode(o.channel);
  json answer;
  if (int rc = CallApi("admin bans", o.api, {"GET", "/bans" + query, std::nullopt}, answer);
      rc != kExitOk) {
    return rc;
  }
  if (o.api.json) return PrintJson(answer);
  return PrintRows(answer.value("bans", json::array()), {"user", "until"});
}

using Runner = int (*)(ModerationOptions&);
Command Verb(CLI::App& admin, const std::string& name, const std::string& help, Runner run,
             std::shared_ptr<ModerationOptions>& o) {
  o = std::make_shared<ModerationOptions>();
  CLI::App* app = admin.add_subcommand(name, help);
  AddApiOptions(*app, o->api);
  auto keep = o;
  return {app, [keep, run] { return run(*keep); }};
}

void AddUser(CLI::App& app, ModerationOptions& o) {
  app.add_option("user", o.user, "The user")->required()->type_name("USER");
}

void AddChannel(CLI::App& app, ModerationOptions& o, const std::string& help) {
  app.add_option("-c,--channel", o.channel, help)->type_name("CHANNEL");
}

}  // namespace

std::vector<Command> SetupAdminModeration(CLI::App& admin) {
  std::vector<Command> verbs;
  std::shared_ptr<ModerationOptions> o;

  verbs.push_back(
      Verb(admin, "kick", "Close a user's sessions, or take it out of one room", RunKick, o));
  AddUser(*verbs.back().app, *o);
  AddChannel(*verbs.back().app, *o, "Only from this room (default: every session)");

  verbs.push_back(Verb(admin, "ban", "Ban a user from a room or the cluster", RunBan, o));
  AddUser(*verbs.back().app, *o);
  AddChannel(*verbs.back().app, *o, "Only from this room (default: the whole cluster)");
  verbs.back()
      .app->add_option("--for", o->ban_for, "For this long: 90s, 30m, 2h, 7d (default: no expiry)")
      ->type_name("DURATION");

  verbs.push_back(Verb(admin, "unban", "Lift a ban", RunUnban, o));
  AddUser(*verbs.back().app, *o);
  AddChannel(*verbs.back().app, *o, "The room's ban (default: the cluster ban)");

  verbs.push_back(Verb(admin, "bans", "List bans", RunBans, o));
  AddChannel(*verbs.back().app, *o, "A room's bans (default: the cluster bans)");

  return verbs;
}

}  // namespace chatctl::cmd
