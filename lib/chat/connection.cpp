// The chat client's network thread (see connection.h).
#include "lib/chat/connection.h"

#include <algorithm>
#include <exception>
#include <optional>
#include <random>

#include "lib/protocol.h"

namespace chatctl::chat {

namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

constexpr auto kConnectTimeout = 3s;
constexpr auto kReplyTimeout = 30s;
// How long the thread waits for a live frame before it looks at the UI's commands again: the
// most a typed line waits before it goes out.
constexpr auto kPoll = 10ms;
constexpr auto kFirstRetry = 100ms;
constexpr auto kMaxRetry = 5000ms;
constexpr int kIdTimeShift = 22;

// The smallest id a node could give a message accepted at `ms`, less one.
MessageId IdBefore(std::int64_t ms) {
  if (ms <= kIdEpochMs) return 0;
  return (static_cast<MessageId>(ms - kIdEpochMs) << kIdTimeShift) - 1;
}

bool IsFatalClose(int code) {
  return code == protocol::kCloseUnauthorized || code == protocol::kCloseKicked;
}

}  // namespace

Connection::Connection(ConnectionOptions options) : options_(std::move(options)) {}

Connection::~Connection() { Stop(); }

void Connection::Start(std::unique_ptr<ChatClient> first) {
  thread_ = std::thread([this, client = std::move(first)]() mutable {
    try {
      Run(std::move(client));
    } catch (const std::exception& e) {
      NetEvent event;
      event.kind = NetEvent::kFatal;
      event.text = std::string("network thread failed: ") + e.what();
      events_.Push(std::move(event));
    }
  });
}

void Connection::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void Connection::Join(const std::string& channel) {
  std::lock_guard<std::mutex> lock(mutex_);
  commands_.push_back({Command::kJoin, channel, {}});
}

void Connection::Leave(const std::string& channel) {
  std::lock_guard<std::mutex> lock(mutex_);
  commands_.push_back({Command::kLeave, channel, {}});
}

void Connection::Post(Outgoing out) {
  std::lock_guard<std::mutex> lock(mutex_);
  commands_.push_back({Command::kRequest, "", std::move(out)});
}

std::deque<Connection::Command> Connection::TakeCommands() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(commands_, {});
}

bool Connection::Sleep(std::chrono::milliseconds d) {
  auto deadline = std::chrono::steady_clock::now() + d;
  while (!stop_ && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  return !stop_;
}

void Connection::Deliver(const json& frame) {
  if (frame.value("type", std::string()) == "msg") {
    auto it = joined_.find(frame.value("channel", std::string()));
    auto id = ParseId(frame.value("id", std::string()));
    if (it != joined_.end() && id) it->second = std::max(it->second, *id);
    if (auto m = protocol::MessageFromJson(frame)) resume_.Given(*m);
  }
  NetEvent event;
  event.kind = NetEvent::kFrame;
  event.frame = frame;
  events_.Push(std::move(event));
}

// Joins `channel` (since the newest id delivered when there is one, else the last N) and hands
// the replay over. A replay that says truncated is paged on by joining again from its newest id.
// False when the connection was lost; a refusal is handed to the UI and forgets the room.
bool Connection::JoinChannel(ChatClient& client, const std::string& channel) {
  for (;;) {
    json join = {{"type", "join"}, {"channel", channel}};
    MessageId since = joined_[channel];
    if (auto cursor = resume_.For(channel)) {
      join["cursor"] = *cursor;  // exact whichever node this is, whatever its clock
    } else if (since != 0) {
      join["since"] = IdToString(since);
    } else {
      join["last"] = options_.last;
    }
    Result<json> joined = client.Call(join, kReplyTimeout);
    if (!joined.ok()) {
      if (client.lost()) return false;
      joined_.erase(channel);
      resume_.Forget(channel);
      NetEvent event;
      event.kind = NetEvent::kJoined;
      event.failed = true;
      event.error = joined.error();
      event.frame = {{"channel", channel}};
      events_.Push(std::move(event));
      return true;
    }
    resume_.Joined(channel, *joined);
    MessageId newest = joined_[channel];
    for (const auto& m : joined->value("messages", json::array())) {
      if (auto id = ParseId(m.value("id", std::string()))) newest = std::max(newest, *id);
    }
    bool truncated = joined->value("truncated", false) && newest != joined_[channel];
    joined_[channel] = newest != 0 ? newest : IdBefore(client.server_time());
    NetEvent event;
    event.kind = NetEvent::kJoined;
    event.frame = std::move(joined).value();
    events_.Push(std::move(event));
    if (!truncated) return true;
    Result<json> left = client.Call({{"type", "leave"}, {"channel", channel}}, kReplyTimeout);
    if (!left.ok() && client.lost()) return false;
    client.Discard([&](const json& frame) {
      return frame.value("type", std::string()) == "msg" &&
             frame.value("channel", std::string()) == channel;
    });
  }
}

void Connection::Serve(ChatClient& client) {
  std::vector<std::string> channels;
  for (const auto& [channel, newest] : joined_) channels.push_back(channel);
  for (const auto& channel : channels) {
    if (stop_ || !JoinChannel(client, channel)) return;
  }
  std::deque<Command>& backlog = backlog_;
  while (!stop_) {
    for (auto& command : TakeCommands()) backlog.push_back(std::move(command));
    while (!backlog.empty() && !stop_) {
      Command& command = backlog.front();
      if (command.kind == Command::kJoin) {
        if (joined_.count(command.channel) == 0) {
          joined_[command.channel] = 0;
          if (!JoinChannel(client, command.channel)) return;  // rejoined after the reconnect
        }
      } else if (command.kind == Command::kLeave) {
        joined_.erase(command.channel);
        resume_.Forget(command.channel);
        Result<json> left =
            client.Call({{"type", "leave"}, {"channel", command.channel}}, kReplyTimeout);
        if (!left.ok() && client.lost()) {
          backlog.pop_front();  // the node forgets the session's rooms with the session
          return;
        }
      } else {
        if (client.lost()) return;  // not sent: it waits for the next connection
        NetEvent event;
        event.kind = NetEvent::kReply;
        event.tag = command.out.tag;
        Result<json> reply = client.Call(command.out.request, kReplyTimeout);
        if (reply.ok()) {
          event.frame = std::move(reply).value();
        } else {
          event.failed = true;
          event.error = reply.error();
        }
        events_.Push(std::move(event));
      }
      backlog.pop_front();
      // Live frames that came while we waited for replies go out in the order they came.
      while (auto frame = client.Next(0ms)) Deliver(*frame);
    }
    std::optional<json> frame = client.Next(kPoll);
    if (frame) {
      Deliver(*frame);
    } else if (client.lost()) {
      return;
    }
  }
}

std::unique_ptr<ChatClient> Connection::Reconnect(int& attempt, std::size_t& url_index) {
  std::mt19937 rng(std::random_device{}());
  while (!stop_) {
    // 100 ms doubling to 5 s, each drawn from 50-100% of that so that many clients of one node
    // do not all come back in the same millisecond.
    auto ceiling = std::min<std::chrono::milliseconds>(kFirstRetry * (1LL << std::min(attempt, 10)),
                                                       kMaxRetry);
    std::uniform_int_distribution<long long> jitter(ceiling.count() / 2, ceiling.count());
    if (!Sleep(std::chrono::milliseconds(jitter(rng)))) return nullptr;
    ++attempt;
    url_index = (url_index + 1) % options_.urls.size();
    auto next =
        ChatClient::Connect({options_.urls[url_index]}, options_.credentials, kConnectTimeout);
    if (next.ok()) return std::move(next).value();
    if (next.error().code == "unauthorized") {
      NetEvent event;
      event.kind = NetEvent::kFatal;
      event.text = next.error().message;
      events_.Push(std::move(event));
      return nullptr;
    }
  }
  return nullptr;
}

void Connection::Run(std::unique_ptr<ChatClient> client) {
  std::size_t url_index = 0;
  for (std::size_t i = 0; i < options_.urls.size(); ++i) {
    if (options_.urls[i].ToString() == client->url().ToString()) url_index = i;
  }
  int attempt = 0;
  while (client && !stop_) {
    NetEvent up;
    up.kind = NetEvent::kConnected;
    up.user = client->user();
    up.node = client->node();
    up.text = client->url().ToString();
    events_.Push(std::move(up));
    Serve(*client);
    if (stop_) return;
    NetEvent down;
    down.text = client->LossDescription();
    if (IsFatalClose(client->close_code())) {
      down.kind = NetEvent::kFatal;
      events_.Push(std::move(down));
      return;
    }
    down.kind = NetEvent::kLost;
    events_.Push(std::move(down));
    attempt = 0;
    client = Reconnect(attempt, url_index);
  }
}

}  // namespace chatctl::chat
