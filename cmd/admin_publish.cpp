// `chatctl admin publish`: post a message into a room or to a user through the admin API
// (POST /api/v1/publish), as "system" or another sender, without logging in as anyone. One
// message per run; TEXT "-" reads it from stdin.
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "cmd/admin_api.h"
#include "cmd/admin_text.h"
#include "cmd/exit_codes.h"

namespace chatctl::cmd {
namespace {

using json = nlohmann::json;

struct PublishOptions {
  ApiOptions api;
  std::string channel;
  std::string to;
  std::string from;
  std::vector<std::string> words;
};

int RunPublish(PublishOptions& o) {
  const std::string what = "admin publish";
  if (o.channel.empty() == o.to.empty()) {
    return Fail(what, "bad_request", "give exactly one of -c CHANNEL or --to USER", kExitUsage);
  }
  std::string text;
  if (o.words.size() == 1 && o.words[0] == "-") {
    auto read = ReadAllFrom(STDIN_FILENO);
    if (!read.ok()) return Fail(what, read.error().code, read.error().message, kExitFailed);
    text = std::move(read).value();
    if (!text.empty() && text.back() == '\n') text.pop_back();  // echo's, not the message's
  } else {
    for (const auto& word : o.words) {
      if (!text.empty()) text += ' ';
      text += word;
    }
  }
  if (text.empty()) return Fail(what, "bad_request", "the message is empty", kExitUsage);

  json body = {{"text", text}};
  if (!o.channel.empty()) {
    body["channel"] = o.channel;
  } else {
    body["to"] = o.to;
  }
  if (!o.from.empty()) body["from"] = o.from;
  json answer;
  if (int rc = CallApi(what, o.api, {"POST", "/publish", body}, answer); rc != kExitOk) return rc;
  if (o.api.json) return PrintJson(answer);
  return PrintLine(
      "published " + Cell(answer.value("id", json()), "id") + " to " +
      Cell(answer.value("channel", json(o.channel.empty() ? o.to : o.channel)), "channel"));
}

}  // namespace

Command SetupAdminPublish(CLI::App& admin) {
  auto o = std::make_shared<PublishOptions>();
  CLI::App* app = admin.add_subcommand(
      "publish", "Post a message to a room or a user, as system or another sender");
  AddApiOptions(*app, o->api);
  auto* channel =
      app->add_option("-c,--channel", o->channel, "Room to post to")->type_name("CHANNEL");
  auto* to = app->add_option("--to", o->to, "User to send a direct message to")->type_name("USER");
  channel->excludes(to);
  app->add_option("--from", o->from, "Sender shown (default: system)")->type_name("USER");
  app->add_option("text", o->words, "The message (words joined by spaces); - reads stdin")
      ->required()
      ->type_name("TEXT");
  return {app, [o] { return RunPublish(*o); }};
}

}  // namespace chatctl::cmd
