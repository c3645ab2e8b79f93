// `chatctl send`: post one message (TEXT...) or one message per line of stdin to a room or a user,
// each waited for by its ack. Single-threaded: main's thread reads stdin and drives the connection.
// Strictly one message in flight, so a rate_limited retry can never land behind a later line.
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "cmd/client_options.h"
#include "cmd/command.h"
#include "cmd/exit_codes.h"
#include "lib/client/chat_client.h"
#include "lib/utf8.h"

namespace chatctl::cmd {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

constexpr auto kConnectTimeout = 10s;
constexpr auto kAckTimeout = 30s;
constexpr auto kFirstBackoff = 50ms;
constexpr auto kMaxBackoff = 2000ms;
constexpr auto kFirstRetry = 100ms;
constexpr auto kMaxRetry = 5000ms;
constexpr auto kReconnectFor = 30s;
// How long a wait for stdin may leave the socket unserviced (node pings, dms to this user).
constexpr int kStdinPollMs = 200;

struct SendOptions {
  ClientOptions client;
  std::string channel;
  std::string to;
  std::vector<std::string> words;
  bool json = false;
};

void Fail(const std::string& code, const std::string& message) {
  std::fprintf(stderr, "chatctl: send: %s: %s\n", code.c_str(), message.c_str());
}

int ExitCodeFor(const Error& error, const ChatClient* client) {
  bool lost = client == nullptr || client->lost();
  if (lost && error.code == "unauthorized") return kExitUnauthorized;
  return lost ? kExitUnavailable : kExitFailed;
}

// Frames nobody here asked for (dms to this user, stray errors) are read and dropped so that the
// queue stays small in a long-running pipe.
void DrainUnsolicited(ChatClient& client, std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!client.Next(std::max(left, 0ms)) && left <= 0ms) return;
    if (client.lost()) return;
  }
}

// stdin, one line at a time, without leaving the connection unserviced while input is slow
// (`tail -f log | chatctl send`): the node would otherwise drop us for not answering its pings.
class StdinLines {
 public:
  // The next line without its '\n' (and '\r'); nullopt at the end of input.
  std::optional<std::string> Next(ChatClient& client) {
    for (;;) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) return Take(nl, nl + 1);
      if (eof_) {
        if (buffer_.empty()) return std::nullopt;
        return Take(buffer_.size(), buffer_.size());
      }
      pollfd in{STDIN_FILENO, POLLIN, 0};
      int ready = poll(&in, 1, kStdinPollMs);
      if (ready > 0) {
        char chunk[65536];
        ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
        if (n > 0) {
          buffer_.append(chunk, static_cast<std::size_t>(n));
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
          eof_ = true;
        }
      } else if (ready == 0) {
        DrainUnsolicited(client, 0ms);
      }
    }
  }
  std::size_t line_number() const { return line_number_; }

 private:
  std::string Take(std::size_t end, std::size_t consumed) {
    std::string line = buffer_.substr(0, end);
    buffer_.erase(0, consumed);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    ++line_number_;
    return line;
  }
  std::string buffer_;
  bool eof_ = false;
  std::size_t line_number_ = 0;
};

// Sends one text and waits for its ack, backing off and retrying while the node says
// rate_limited. Any other refusal is returned.
Status SendOne(ChatClient& client, const SendOptions& o, const std::string& text) {
  json request = {{"type", "send"}, {"text", text}};
  if (!o.to.empty()) {
    request["to"] = o.to;
  } else {
    request["channel"] = o.channel;
  }
  auto backoff = std::chrono::milliseconds(kFirstBackoff);
  for (;;) {
    Result<json> ack = client.Call(request, kAckTimeout);
    if (ack.ok()) {
      if (o.json) {
        std::printf("%s\n", ack->dump().c_str());
        std::fflush(stdout);
      }
      return Ok{};
    }
    if (ack.error().code != "rate_limited" || client.lost()) return ack.error();
    DrainUnsolicited(client, backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(kMaxBackoff));
  }
}

// Connects again after the connection was lost between messages: a node restart takes a moment,
// so this keeps trying (100 ms doubling to 5 s) for up to kReconnectFor before it gives up.
Result<std::unique_ptr<ChatClient>> Reconnect(const std::vector<WsUrl>& urls,
                                              Credentials& credentials) {
  auto give_up = std::chrono::steady_clock::now() + kReconnectFor;
  auto delay = std::chrono::milliseconds(kFirstRetry);
  for (;;) {
    std::this_thread::sleep_for(delay);
    auto client = ChatClient::Connect(urls, credentials, kConnectTimeout);
    if (client.ok() || client.error().code == "unauthorized" ||
        std::chrono::steady_clock::now() + delay > give_up) {
      return client;
    }
    delay = std::min(delay * 2, std::chrono::milliseconds(kMaxRetry));
  }
}

// What the node would refuse anyway, caught before it costs a round trip (or, for invalid UTF-8,
// the connection: the node closes with 1007).
std::optional<std::string> CheckText(const std::string& text) {
  if (!IsValidUtf8(text)) return "not valid UTF-8";
  if (text.find('\0') != std::string::npos) return "contains a NUL byte";
  return std::nullopt;
}

int RunSend(SendOptions& o) {
  ResolveClientOptions(o.client);
  if (o.channel.empty() == o.to.empty()) {
    Fail("bad_request", "give exactly one of -c CHANNEL or --to USER");
    return kExitUsage;
  }
  auto urls = ParseWsUrlList(o.client.url);
  if (!urls.ok()) {
    Fail(urls.error().code, urls.error().message);
    return kExitUsage;
  }
  auto login = LoginCredentials(o.client);
  if (!login.ok()) {
    Fail(login.error().code, login.error().message);
    return kExitUsage;
  }
  Credentials credentials = std::move(login).value();

  std::optional<std::string> single;
  if (!o.words.empty()) {
    std::string text;
    for (const auto& word : o.words) {
      if (!text.empty()) text += ' ';
      text += word;
    }
    if (text.empty()) {
      Fail("bad_request", "the message is empty");
      return kExitUsage;
    }
    if (auto why = CheckText(text)) {
      Fail("bad_request", "the message is " + *why);
      return kExitUsage;
    }
    single = std::move(text);
  }

  auto connected = ChatClient::Connect(*urls, credentials, kConnectTimeout);
  if (!connected.ok()) {
    Fail(connected.error().code, connected.error().message);
    return ExitCodeFor(connected.error(), nullptr);
  }
  std::unique_ptr<ChatClient> client = std::move(connected).value();

  if (single) {
    Status sent = SendOne(*client, o, *single);
    if (sent.ok()) return kExitOk;
    Fail(sent.error().code, sent.error().message);
    return ExitCodeFor(sent.error(), client.get());
  }

  // One message per line. A line the node refuses on its own merits (too long, not UTF-8) is
  // reported and skipped, so one bad line does not stop a log stream; a refusal that would hit
  // every line (forbidden, a bad channel name) or a lost connection stops here.
  StdinLines lines;
  int exit_code = kExitOk;
  while (auto line = lines.Next(*client)) {
    if (line->empty()) continue;
    std::string where = "line " + std::to_string(lines.line_number()) + ": ";
    if (auto why = CheckText(*line)) {
      Fail("bad_request", where + *why);
      exit_code = kExitFailed;
      continue;
    }
    if (client->lost()) {
      // Lost while waiting for input, with nothing in flight: coming back cannot send anything
      // twice, so a long-running pipe survives a node restart. A loss with a message in flight
      // does not get here (whether that message was stored is unknown).
      std::fprintf(stderr, "chatctl: send: %s: %s; reconnecting\n",
                   client->url().ToString().c_str(), client->LossDescription().c_str());
      auto again = Reconnect(*urls, credentials);
      if (!again.ok()) {
        Fail(again.error().code, where + again.error().message);
        return ExitCodeFor(again.error(), nullptr);
      }
      client = std::move(again).value();
    }
    Status sent = SendOne(*client, o, *line);
    if (sent.ok()) {
      DrainUnsolicited(*client, 0ms);
      continue;
    }
    Fail(sent.error().code, where + sent.error().message);
    int code = ExitCodeFor(sent.error(), client.get());
    if (code == kExitFailed && sent.error().code == "too_large") {
      exit_code = kExitFailed;
      continue;
    }
    return code;
  }
  return exit_code;
}

}  // namespace

Command SetupSend(CLI::App& parent) {
  auto o = std::make_shared<SendOptions>();
  CLI::App* app = parent.add_subcommand(
      "send", "Send a message, or one message per line of stdin, and wait for each ack");
  AddClientOptions(*app, o->client);
  AddPasswordOption(*app, o->client);
  auto* channel = app->add_option("-c,--channel", o->channel, "Room (or dm:A:B channel) to send to")
                      ->type_name("CHANNEL");
  auto* to = app->add_option("--to", o->to, "User to send a direct message to")->type_name("USER");
  channel->excludes(to);
  app->add_flag("--json", o->json, "Print each ack as one JSON line");
  app->add_option("text", o->words, "The message; without it, each line of stdin is one message")
      ->type_name("TEXT");
  return {app, [o] { return RunSend(*o); }};
}

}  // namespace chatctl::cmd
