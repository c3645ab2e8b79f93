// `chatctl admin channel VERB`: rooms through the admin API (/api/v1/channels...): list, info,
// create, delete, topic, and membership (members, invite, remove) and presence. Each verb is a
// subcommand with its own options; names are percent-encoded into the path and checked by the
// node, so the rules live in one place.
#include <memory>
#include <string>
#include <vector>

#include "cmd/admin_api.h"
#include "cmd/admin_text.h"
#include "cmd/exit_codes.h"

namespace chatctl::cmd {
namespace {

using json = nlohmann::json;

struct ChannelOptions {
  ApiOptions api;
  std::string name;
  std::string user;
  std::string prefix;
  int limit = 0;  // 0: the node's default
  bool is_private = false;
  std::string topic;
  bool has_topic = false;
  std::string owner;
  std::string role;
  std::vector<std::string> words;
};

std::string ChannelPath(const std::string& name) { return "/channels/" + PercentEncode(name); }

std::string Joined(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) {
    if (!text.empty()) text += ' ';
    text += word;
  }
  return text;
}

std::string Str(const json& answer, const char* key, const std::string& fallback) {
  return answer.contains(key) && answer[key].is_string() ? answer[key].get<std::string>()
                                                         : fallback;
}

int RunList(ChannelOptions& o) {
  std::string query;
  if (!o.prefix.empty()) query += "&prefix=" + PercentEncode(o.prefix);
  if (o.limit > 0) query += "&limit=" + std::to_string(o.limit);
  if (!query.empty()) query[0] = '?';
  json answer;
  if (int rc =
          CallApi("admin channel list", o.api, {"GET", "/channels" + query, std::nullopt}, answer);
      rc != kExitOk) {
    return rc;
  }
  if (o.api.json) return PrintJson(answer);
  return PrintRows(answer.value("channels", json::array()),
                   {"name", "kind", "messages", "last_id"});
}

int RunInfo(ChannelOptions& o) {
  json answer;
  if (int rc =
          CallApi("admin channel info", o.api, {"GET", ChannelPath(o.name), std::nullopt}, answer);
      rc != kExitOk) {
    return rc;
  }
  if (o.api.json) return PrintJson(answer);
  return PrintFields(
      answer, {"name", "kind", "topic", "owner", "members", "online", "messages", "last_message"});
}

int RunCreate(ChannelOptions& o) {
  json body = {{"name", o.name}, {"private", o.is_private}};
  if (o.has_topic) body["topic"] = o.topic;
  if (!o.owner.empty()) body["owner"] = o.owner;
  json answer;
  if (int rc = CallApi("admin channel create", o.api, {"POST", "/channels", body}, answer);
      rc != kExitOk) {
    return rc;
  }
  if (o.api.json) return PrintJson(answer);
  return PrintLine("created " + Str(answer, "kind", o.is_private ? "private" : "public") +
                   " channel " + Printable(Str(answer, "name", o.name)));
}

int RunDelete(ChannelOptions& o) {
  json answer;
  if (int rc = CallApi("admin channel delete", o.api, {"DELETE", ChannelPath(o.name), std::nullopt},
                       answer);
      rc != kExitOk) {
    return rc;
  }
  if (o.api.json) return PrintJson(answer);
  return PrintLine("deleted channel " + Printable(Str(answer, "deleted", o.name)));
}

int RunTopic(ChannelOptions& o) {
  json answer;
  if (int rc = CallApi("admin channel topic", o.api,
                       {"PUT", ChannelPath(o.name) + "/topic", json{{"topic", Joined(o.words)}}},
                       answer);
      rc != kExitOk) {
    return rc;
  }
  if (o.api.json) return PrintJson(answer);
  return PrintFields(answer, {"name", "topic"});
}

int RunMembers(ChannelOptions& o) {
  json answer;
  if (int rc = CallApi("admin channel members", o.api,
                       {"GET", ChannelPath(o.name) + "/members", std::nullopt}, answer);
      rc != kExitOk) {
    return rc;
  }
  if (o.api.json) return PrintJson(answer);
  return PrintRows(answer.value("members", json::array()), {"user", "role"});
}

int RunInvite(ChannelOptions& o) {
  json body = {{"user", o.user}};
  if (!o.role.empty()) body["role"] = o.role;
  json answer;
  if (int rc = CallApi("admin channel invite", o.api,
                       {"POST", ChannelPath(o.name) + "/members", body}, answer);
      rc != kExitOk) {
    return rc;
  }
  if (o.api.json) return PrintJson(answer);
  return PrintLine(Printable(Str(answer, "user", o.user)) + " is " +
                   Printable(Str(answer, "role", o.role.empty() ? "member" : o.role)) + " of " +
                   Printable(o.name));
}

int RunRemove(ChannelOptions& o) {
  json answer;
  if (int rc = CallApi(
          "admin channel remove", o.api,
          {"DELETE", ChannelPath(o.name) + "/members/" + PercentEncode(o.user), std::nullopt},
          answer);
      rc != kExitOk) {
    return rc;
  }
  if (o.api.json) return PrintJson(answer);
  return PrintLine("removed " + Printable(o.user) + " from " + Printable(o.name));
}

int RunPresence(ChannelOptions& o) {
  json answer;
  if (int rc = CallApi("admin channel presence", o.api,
                       {"GET", ChannelPath(o.name) + "/presence", std::nullopt}, answer);
      rc != kExitOk) {
    return rc;
  }
  if (o.api.json) return PrintJson(answer);
  // users is a list of names; should it become objects, the user column still comes out.
  return PrintRows(answer.value("users", json::array()), {"user"});
}

// One verb: its own options, the shared ones, and its runner.
using Runner = int (*)(ChannelOptions&);
Command Verb(CLI::App* noun, const std::string& name, const std::string& help, Runner run,
             std::shared_ptr<ChannelOptions>& o) {
  o = std::make_shared<ChannelOptions>();
  CLI::App* app = noun->add_subcommand(name, help);
  AddApiOptions(*app, o->api);
  auto keep = o;
  return {app, [keep, run] { return run(*keep); }};
}

void AddName(CLI::App& app, ChannelOptions& o) {
  app.add_option("name", o.name, "The room")->required()->type_name("NAME");
}

}  // namespace

Command SetupAdminChannel(CLI::App& admin) {
  CLI::App* noun = admin.add_subcommand("channel", "Rooms: list, create, delete, topic, members");
  std::vector<Command> verbs;
  std::shared_ptr<ChannelOptions> o;

  verbs.push_back(Verb(noun, "list", "List rooms by name", RunList, o));
  verbs.back()
      .app->add_option("--prefix", o->prefix, "Only rooms whose name starts so")
      ->type_name("PREFIX");
  verbs.back()
      .app->add_option("--limit", o->limit, "At most N rooms (1-1000; default 100)")
      ->type_name("N")
      ->check(CLI::Range(1, 1000));

  verbs.push_back(
      Verb(noun, "info", "A room: kind, topic, owner, members, last message", RunInfo, o));
  AddName(*verbs.back().app, *o);

  verbs.push_back(Verb(noun, "create", "Create a room", RunCreate, o));
  AddName(*verbs.back().app, *o);
  verbs.back().app->add_flag("--private", o->is_private, "Members only (invite them)");
  {
    auto* opts = o.get();
    verbs.back()
        .app
        ->add_option_function<std::string>(
            "--topic",
            [opts](const std::string& topic) {
              opts->topic = topic;
              opts->has_topic = true;
            },
            "The room's topic")
        ->type_name("TEXT");
  }
  verbs.back().app->add_option("--owner", o->owner, "User who owns the room")->type_name("USER");

  verbs.push_back(
      Verb(noun, "delete", "Delete a room; its history is no longer served", RunDelete, o));
  AddName(*verbs.back().app, *o);

  verbs.push_back(Verb(noun, "topic", "Set a room's topic", RunTopic, o));
  AddName(*verbs.back().app, *o);
  verbs.back()
      .app->add_option("text", o->words, "The topic (words are joined by spaces)")
      ->required()
      ->type_name("TEXT");

  verbs.push_back(Verb(noun, "members", "List a room's members and their roles", RunMembers, o));
  AddName(*verbs.back().app, *o);

  verbs.push_back(
      Verb(noun, "invite", "Add a member to a room, or change a member's role", RunInvite, o));
  AddName(*verbs.back().app, *o);
  verbs.back().app->add_option("user", o->user, "The user")->required()->type_name("USER");
  verbs.back()
      .app->add_option("--role", o->role, "member (default), admin or owner")
      ->type_name("ROLE")
      ->check(CLI::IsMember({"member", "admin", "owner"}));

  verbs.push_back(Verb(noun, "remove", "Take a member out of a room", RunRemove, o));
  AddName(*verbs.back().app, *o);
  verbs.back().app->add_option("user", o->user, "The user")->required()->type_name("USER");

  verbs.push_back(
      Verb(noun, "presence", "Who is in a room now, across the cluster", RunPresence, o));
  AddName(*verbs.back().app, *o);

  return Noun(noun, std::move(verbs));
}

}  // namespace chatctl::cmd
