// `chatctl tail`: print the recent messages of one or more channels and, with -f, follow them,
// reconnecting (and failing over along the -u list) with the resume cursor each `joined` gives
// (or `since`, against a node that gives none) so that nothing is missed or printed twice.
// Single-threaded: main's thread drives the connection; signal handlers only set a flag.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "cmd/client_options.h"
#include "cmd/command.h"
#include "cmd/exit_codes.h"
#include "cmd/printable.h"
#include "lib/client/chat_client.h"
#include "lib/client/resume_cursors.h"
#include "lib/ids.h"
#include "lib/protocol.h"

namespace chatctl::cmd {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr auto kConnectTimeout = 10s;
constexpr auto kReplyTimeout = 30s;
constexpr auto kFirstRetry = 100ms;
constexpr auto kMaxRetry = 5000ms;
// How often a quiet follow loop looks at the stop flag.
constexpr auto kStopCheck = 200ms;
constexpr int kIdTimeShift = 22;  // 10 bits of node id and 12 of sequence below the milliseconds

// SIGINT/SIGTERM: where the code looks at g_stop (the follow loop, the back-off sleep) the signal
// only sets it, so the connection is closed properly; anywhere else (connecting, joining) there is
// nothing to tidy, output is flushed per line, and waiting out a timeout would be rude, so exit.
volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_soft_stop = 0;

void OnStopSignal(int) {
  if (g_soft_stop == 0) _exit(0);
  g_stop = 1;
}

// Marks a stretch of code that checks g_stop itself.
class SoftStop {
 public:
  SoftStop() { g_soft_stop = 1; }
  ~SoftStop() { g_soft_stop = 0; }
  SoftStop(const SoftStop&) = delete;
  SoftStop& operator=(const SoftStop&) = delete;
};

void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  // No SA_RESTART: a signal should cut a poll() short, not wait out its timeout.
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

struct TailOptions {
  ClientOptions client;
  std::vector<std::string> channels;
  int last = 10;
  bool follow = false;
  std::string since;
  bool json = false;
};

void Fail(const std::string& code, const std::string& message) {
  std::fprintf(stderr, "chatctl: tail: %s: %s\n", code.c_str(), message.c_str());
}

int ExitCodeFor(const Error& error, const ChatClient* client) {
  bool lost = client == nullptr || client->lost();
  if (lost && error.code == "unauthorized") return kExitUnauthorized;
  return lost ? kExitUnavailable : kExitFailed;
}

// The smallest id a node could give a message accepted at `ms`, less one: a `since` anchor for a
// channel in which nothing has been printed yet.
MessageId IdBefore(std::int64_t ms) {
  if (ms <= kIdEpochMs) return 0;
  MessageId id = static_cast<MessageId>(ms - kIdEpochMs) << kIdTimeShift;
  return id - 1;
}

// Prints messages at most once each, in the order they come, and remembers per channel the last
// id printed: the `since` of the next join after a reconnect.
class Printer {
 public:
  explicit Printer(const TailOptions& o)
      : json_(o.json),
        prefix_(o.channels.size() > 1),
        tailed_(o.channels.begin(), o.channels.end()) {}

  // False when stdout is gone (a closed pipe) or failing.
  bool Print(const json& entry) {
    json object = entry;
    if (object.is_object() && !object.contains("type")) object["type"] = "msg";
    std::optional<Message> m = protocol::MessageFromJson(object);
    if (!m) {
      std::fprintf(stderr, "chatctl: tail: skipping a malformed message: %s\n",
                   entry.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
      return true;
    }
    if (tailed_.count(m->channel) == 0) return true;  // a dm nobody asked to see
    resume_.Given(*m);
    // Seen already: printed before, by id. Not "at or below the cursor": a message another node
    // accepted a moment before this session's welcome can arrive after it with a smaller id than
    // the welcome's anchor, and it was never printed.
    Printed& printed = printed_[m->channel];
    if (!printed.ids.insert(m->id).second) return true;
    printed.order.push_back(m->id);
    if (printed.order.size() > kRememberedIds) {
      printed.ids.erase(printed.order.front());
      printed.order.pop_front();
    }
    auto cursor = cursors_.find(m->channel);
    if (cursor == cursors_.end()) {
      cursors_[m->channel] = m->id;
    } else {
      cursor->second = std::max(cursor->second, m->id);
    }

    std::string line;
    if (json_) {
      line = protocol::MessageJson(*m);
    } else {
      if (prefix_) line = "#" + m->channel + " ";
      std::time_t seconds = static_cast<std::time_t>(m->ts / 1000);
      std::tm local{};
      localtime_r(&seconds, &local);
      char clock[16];
      std::strftime(clock, sizeof clock, "%H:%M:%S", &local);
      line += std::string(clock) + " <" + m->from + "> " + Printable(m->text, /*keep_tabs=*/true);
    }
    line += '\n';
    if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size() ||
        std::fflush(stdout) != 0) {
      return false;
    }
    return true;
  }

  std::optional<MessageId> cursor(const std::string& channel) const {
    auto it = cursors_.find(channel);
    if (it == cursors_.end()) return std::nullopt;
    return it->second;
  }
  void SetCursorIfUnset(const std::string& channel, MessageId id) {
    cursors_.insert({channel, id});
  }
  // Messages of a tailed channel the live loop should show.
  bool Tails(const std::string& channel) const { return tailed_.count(channel) != 0; }
  // Where each channel's next join resumes, exactly, on any node that gives cursors.
  ResumeCursors& resume() { return resume_; }

 private:
  bool json_;
  bool prefix_;
  std::set<std::string> tailed_;
  ResumeCursors resume_;
  // Against a node without cursors: the `since` of the next join: the newest id printed, or where
  // the first session began.
  std::map<std::string, MessageId> cursors_;
  // Ids printed lately, per channel: a replay after a reconnect starts at the cursor, so only the
  // newest few can come twice.
  static constexpr std::size_t kRememberedIds = 65536;
  struct Printed {
    std::unordered_set<MessageId> ids;
    std::deque<MessageId> order;
  };
  std::map<std::string, Printed> printed_;
};

enum class Outcome {
  kDone,     // history printed, not following
  kStopped,  // SIGINT/SIGTERM
  kLost,     // the connection ended; follow may reconnect
  kFailed,   // the node refused a request, or stdout failed; exit_code says how to exit
};

struct SessionResult {
  Outcome outcome;
  int exit_code = kExitOk;
  bool joined_all = false;  // every channel was joined: the session worked, reset the back-off
};

SessionResult Lost() { return {Outcome::kLost}; }
SessionResult FailedWith(const Error& e, int exit_code) {
  Fail(e.code, e.message);
  return {Outcome::kFailed, exit_code};
}
SessionResult StdoutGone() {
  // A closed pipe (`| head`) is a normal way for a reader to say it has seen enough.
  if (errno == EPIPE) return {Outcome::kStopped};
  Fail("internal", std::string("cannot write to stdout: ") + std::strerror(errno));
  return {Outcome::kFailed, kExitFailed};
}

// Joins one channel and prints what the join replays. A replay that says truncated is paged on by
// leaving and joining again from its cursor (or the last id printed): live messages that came in
// meanwhile are newer than the gap, so they are dropped here and come again with the next replay.
SessionResult JoinChannel(ChatClient& client, const TailOptions& o, Printer& printer,
                          const std::string& channel) {
  for (;;) {
    json join = {{"type", "join"}, {"channel", channel}};
    if (auto resume = printer.resume().For(channel)) {
      join["cursor"] = *resume;
    } else if (auto cursor = printer.cursor(channel)) {
      join["since"] = IdToString(*cursor);
    } else if (!o.since.empty()) {
      join["since"] = o.since;
    } else {
      join["last"] = o.last;
    }
    Result<json> joined = client.Call(join, kReplyTimeout);
    if (!joined.ok()) {
      if (client.lost() && joined.error().code != "unauthorized") return Lost();
      return FailedWith(joined.error(), ExitCodeFor(joined.error(), &client));
    }
    printer.resume().Joined(channel, *joined);
    const json& messages = joined->contains("messages") ? (*joined)["messages"] : json::array();
    for (const auto& m : messages) {
      if (!printer.Print(m)) return StdoutGone();
    }
    if (!joined->value("truncated", false)) break;
    // Truncated yet empty, and no cursor: nothing to page on from.
    if (!printer.resume().For(channel) && !printer.cursor(channel)) break;
    Result<json> left = client.Call({{"type", "leave"}, {"channel", channel}}, kReplyTimeout);
    if (!left.ok()) {
      if (client.lost() && left.error().code != "unauthorized") return Lost();
      return FailedWith(left.error(), ExitCodeFor(left.error(), &client));
    }
    client.Discard([&](const json& frame) {
      return frame.value("type", std::string()) == "msg" &&
             frame.value("channel", std::string()) == channel;
    });
  }
  if (!o.since.empty()) {
    printer.SetCursorIfUnset(channel, *ParseId(o.since));
  } else {
    printer.SetCursorIfUnset(channel, IdBefore(client.server_time()));
  }
  return {Outcome::kDone};
}

// True when the reader of our stdout pipe has gone (`tail -f | head -3`): a quiet channel would
// otherwise keep us running until the next message fails to write.
bool StdoutClosed() {
  pollfd out{STDOUT_FILENO, 0, 0};
  return poll(&out, 1, 0) == 1 && (out.revents & (POLLERR | POLLHUP)) != 0;
}

// One connection's worth of tailing: join everything, then (with -f) print live messages.
SessionResult RunSession(ChatClient& client, const TailOptions& o, Printer& printer) {
  for (const auto& channel : o.channels) {
    if (g_stop) return {Outcome::kStopped};
    SessionResult joined = JoinChannel(client, o, printer, channel);
    if (joined.outcome != Outcome::kDone) return joined;
  }
  if (!o.follow) return {Outcome::kDone, kExitOk, true};
  SoftStop soft;
  while (!g_stop) {
    std::optional<json> frame = client.Next(kStopCheck);
    if (!frame) {
      if (client.lost()) return {Outcome::kLost, kExitOk, true};
      if (StdoutClosed()) return {Outcome::kStopped, kExitOk, true};
      continue;
    }
    std::string type = frame->value("type", std::string());
    if (type == "msg") {
      if (!printer.Tails(frame->value("channel", std::string()))) continue;
      if (!printer.Print(*frame)) return StdoutGone();
    } else if (type == "error") {
      std::fprintf(stderr, "chatctl: tail: node says %s: %s\n",
                   frame->value("code", std::string("?")).c_str(),
                   frame->value("message", std::string()).c_str());
    }
  }
  return {Outcome::kStopped, kExitOk, true};
}

// Sleeps `d`, or less when a stop signal comes.
void SleepUnlessStopped(std::chrono::milliseconds d) {
  SoftStop soft;
  auto deadline = Clock::now() + d;
  while (!g_stop && Clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(50)));
  }
}

// Close codes after which trying again cannot help: refused credentials, kicked or banned.
bool IsFatalClose(int code) {
  return code == protocol::kCloseUnauthorized || code == protocol::kCloseKicked;
}

int RunTail(TailOptions& o) {
  ResolveClientOptions(o.client);
  auto urls = ParseWsUrlList(o.client.url);
  if (!urls.ok()) {
    Fail(urls.error().code, urls.error().message);
    return kExitUsage;
  }
  if (!o.since.empty() && !ParseId(o.since)) {
    Fail("bad_request", "--since '" + o.since + "' is not a message id");
    return kExitUsage;
  }
  if (o.last < 0) {
    Fail("bad_request", "-n must be 0 or more");
    return kExitUsage;
  }
  // A channel given twice is tailed once, in the place it was first given.
  std::vector<std::string> channels;
  for (const auto& channel : o.channels) {
    if (std::find(channels.begin(), channels.end(), channel) == channels.end()) {
      channels.push_back(channel);
    }
  }
  o.channels = std::move(channels);
  auto login = LoginCredentials(o.client);
  if (!login.ok()) {
    Fail(login.error().code, login.error().message);
    return kExitUsage;
  }
  // Connect keeps a password login's token in here, and the reconnects below use it.
  Credentials credentials = std::move(login).value();
  InstallStopHandlers();

  Printer printer(o);
  // The first connection tries every URL in order and gives up when none answers: a wrong -u should
  // fail now, not retry forever. Once connected, -f keeps trying, one URL per attempt.
  auto first = ChatClient::Connect(*urls, credentials, kConnectTimeout);
  if (!first.ok()) {
    Fail(first.error().code, first.error().message);
    return ExitCodeFor(first.error(), nullptr);
  }
  std::unique_ptr<ChatClient> client = std::move(first).value();
  std::size_t url_index = 0;
  for (std::size_t i = 0; i < urls->size(); ++i) {
    if ((*urls)[i].ToString() == client->url().ToString()) url_index = i;
  }

  std::mt19937 rng(std::random_device{}());
  int attempt = 0;
  for (;;) {
    if (client) {
      SessionResult result = RunSession(*client, o, printer);
      switch (result.outcome) {
        case Outcome::kDone:
        case Outcome::kStopped:
          return kExitOk;
        case Outcome::kFailed:
          return result.exit_code;
        case Outcome::kLost:
          break;
      }
      if (IsFatalClose(client->close_code())) {
        Fail(client->close_code() == protocol::kCloseUnauthorized ? "unauthorized" : "forbidden",
             client->LossDescription());
        return client->close_code() == protocol::kCloseUnauthorized ? kExitUnauthorized
                                                                    : kExitFailed;
      }
      if (!o.follow) {
        Fail("unavailable",
             "connection to " + client->url().ToString() + " lost: " + client->LossDescription());
        return kExitUnavailable;
      }
      std::fprintf(stderr, "chatctl: tail: %s: %s; reconnecting\n",
                   client->url().ToString().c_str(), client->LossDescription().c_str());
      if (result.joined_all) attempt = 0;
      client.reset();
    }
    if (g_stop) return kExitOk;

    // 100 ms doubling to 5 s, each drawn from 50-100% of that so that many tails of one node do
    // not all come back in the same millisecond.
    auto ceiling = std::min<std::chrono::milliseconds>(kFirstRetry * (1LL << std::min(attempt, 10)),
                                                       kMaxRetry);
    std::uniform_int_distribution<long long> jitter(ceiling.count() / 2, ceiling.count());
    SleepUnlessStopped(std::chrono::milliseconds(jitter(rng)));
    if (g_stop) return kExitOk;
    ++attempt;

    url_index = (url_index + 1) % urls->size();
    const WsUrl& url = (*urls)[url_index];
    auto next = ChatClient::Connect({url}, credentials, kConnectTimeout);
    if (next.ok()) {
      client = std::move(next).value();
      std::fprintf(stderr, "chatctl: tail: reconnected to %s\n", url.ToString().c_str());
    } else if (next.error().code == "unauthorized") {
      Fail(next.error().code, next.error().message);
      return kExitUnauthorized;
    }
  }
}

}  // namespace

Command SetupTail(CLI::App& parent) {
  auto o = std::make_shared<TailOptions>();
  CLI::App* app = parent.add_subcommand(
      "tail", "Print the latest messages of channels and, with -f, follow them");
  AddClientOptions(*app, o->client);
  AddPasswordOption(*app, o->client);
  app->add_option("-c,--channel", o->channels, "Channel to read (repeat for several)")
      ->type_name("CHANNEL")
      ->required();
  auto* last = app->add_option("-n,--last", o->last, "How many recent messages to print first")
                   ->type_name("N")
                   ->capture_default_str();
  auto* since = app->add_option("--since", o->since, "Print every message after this id instead")
                    ->type_name("ID");
  last->excludes(since);
  app->add_flag("-f,--follow", o->follow, "Keep printing new messages as they come");
  app->add_flag("--json", o->json, "Print each message as its protocol JSON object, one per line");
  return {app, [o] { return RunTail(*o); }};
}

}  // namespace chatctl::cmd
