// The CLI's protocol session (chat_client.h) over one WsClient. Single-threaded: the caller's
// thread does all the reading, and replies that arrive while it waits for another are kept.
#include "lib/client/chat_client.h"

#include <utility>

namespace chatctl {
namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

constexpr std::chrono::milliseconds kSendTimeout{10000};
constexpr int kCloseUnauthorized = 4401;

std::chrono::milliseconds Remaining(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? left : std::chrono::milliseconds(0);
}

std::string Seconds(std::chrono::milliseconds d) {
  auto tenths = (d.count() + 50) / 100;
  std::string out = std::to_string(tenths / 10);
  if (tenths % 10 != 0) out += "." + std::to_string(tenths % 10);
  return out + " s";
}

Error ErrorFromReply(const json& reply) {
  Error e;
  e.code = reply.value("code", std::string("internal"));
  e.message = reply.value("message", std::string());
  return e;
}

}  // namespace

std::optional<json> HelloFrame(const Credentials& credentials) {
  json hello = {{"type", "hello"}};
  if (!credentials.token.empty()) {
    hello["token"] = credentials.token;
  } else if (!credentials.issued_token.empty()) {
    hello["token"] = credentials.issued_token;
  } else if (!credentials.user.empty()) {
    hello["user"] = credentials.user;
    if (!credentials.password.empty()) hello["password"] = credentials.password;
  } else {
    return std::nullopt;
  }
  return hello;
}

ChatClient::ChatClient(WsUrl url, std::unique_ptr<WsClient> ws)
    : url_(std::move(url)), ws_(std::move(ws)) {}

Result<std::unique_ptr<ChatClient>> ChatClient::Connect(const std::vector<WsUrl>& urls,
                                                        Credentials& credentials,
                                                        std::chrono::milliseconds timeout) {
  if (urls.empty()) return Error{"bad_request", "no node URL"};
  std::string failures;
  for (const WsUrl& url : urls) {
    auto client = ConnectOne(url, credentials, timeout);
    if (client.ok()) return client;
    // The nodes of one cluster share the secret: what one refuses, all refuse.
    if (client.error().code == "unauthorized") return client.error();
    if (urls.size() == 1) return client.error();
    if (!failures.empty()) failures += "; ";
    failures += client.error().message;
  }
  return Error{"unavailable", "no node reachable: " + failures};
}

Result<std::unique_ptr<ChatClient>> ChatClient::ConnectOne(const WsUrl& url,
                                                           Credentials& credentials,
                                                           std::chrono::milliseconds timeout) {
  bool by_password = credentials.token.empty() && !credentials.password.empty();
  auto client = ConnectWith(url, credentials, timeout);
  if (!client.ok() && client.error().code == "unauthorized" && by_password &&
      !credentials.issued_token.empty()) {
    // The issued token has expired or the secret changed; the password may still be good. Only
    // the password's own refusal counts as wrong credentials.
    Credentials again = credentials;
    again.issued_token.clear();
    client = ConnectWith(url, again, timeout);
    // Without a new token (a node with no secret), the next reconnect goes straight to the
    // password.
    if (client.ok()) credentials.issued_token.clear();
  }
  if (client.ok() && by_password && !(*client)->issued_token_.empty()) {
    credentials.issued_token = (*client)->issued_token_;
  }
  return client;
}

Result<std::unique_ptr<ChatClient>> ChatClient::ConnectWith(const WsUrl& url,
                                                            const Credentials& credentials,
                                                            std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  auto ws = WsClient::Connect(url, timeout);
  if (!ws.ok()) return ws.error();
  std::unique_ptr<ChatClient> client(new ChatClient(url, std::move(ws).value()));
  Status hello = client->Hello(credentials, Remaining(deadline));
  if (!hello.ok()) return hello.error();
  return client;
}

Status ChatClient::Hello(const Credentials& credentials, std::chrono::milliseconds timeout) {
  std::optional<json> hello = HelloFrame(credentials);
  if (!hello) return Error{"bad_request", "no token and no user name to say hello with"};
  std::string text;
  try {
    text = hello->dump();
  } catch (const json::exception&) {
    return Error{"bad_request", "the user name, password or token is not valid UTF-8"};
  }
  Status sent = ws_->Send(text, kSendTimeout);
  if (!sent.ok()) return LostError();

  auto deadline = Clock::now() + timeout;
  for (;;) {
    std::optional<std::string> line = ws_->Receive(Remaining(deadline));
    if (!line) {
      if (ws_->closed()) return LostError();
      return Error{"unavailable",
                   "no welcome from " + url_.ToString() + " within " + Seconds(timeout)};
    }
    json frame = json::parse(*line, nullptr, false);
    if (!frame.is_object()) continue;
    std::string type = frame.value("type", std::string());
    if (type == "welcome") {
      user_ = frame.value("user", std::string());
      node_ = frame.value("node", std::string());
      server_time_ = frame.value("server_time", std::int64_t{0});
      issued_token_ = frame.value("token", std::string());
      return Ok{};
    }
    if (type == "error") return ErrorFromReply(frame);
    unsolicited_.push_back(std::move(frame));
  }
}

Result<std::int64_t> ChatClient::Start(json request) {
  if (lost()) return LostError();
  std::int64_t ref = next_ref_++;
  request["ref"] = ref;
  std::string text;
  try {
    text = request.dump();
  } catch (const json::exception&) {
    // nlohmann refuses to write invalid UTF-8; the node would close the connection with 1007.
    return Error{"bad_request", "request is not valid UTF-8"};
  }
  Status sent = ws_->Send(text, kSendTimeout);
  if (!sent.ok()) {
    if (!ws_->closed()) gave_up_ = true;
    return LostError();
  }
  return ref;
}

Result<json> ChatClient::Await(std::int64_t ref, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (auto it = replies_.find(ref); it != replies_.end()) {
      json reply = std::move(it->second);
      replies_.erase(it);
      if (reply.value("type", std::string()) == "error") return ErrorFromReply(reply);
      return reply;
    }
    if (gave_up_) return LostError();
    if (!Pump(Remaining(deadline))) {
      if (ws_->closed()) return LostError();
      if (Clock::now() >= deadline) {
        // A reply that comes later would be out of step with everything after it.
        gave_up_ = true;
        return Error{"unavailable",
                     "no reply from " + url_.ToString() + " within " + Seconds(timeout)};
      }
    }
  }
}

Result<json> ChatClient::Call(json request, std::chrono::milliseconds timeout) {
  auto ref = Start(std::move(request));
  if (!ref.ok()) return ref.error();
  return Await(ref.value(), timeout);
}

std::optional<json> ChatClient::Next(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (unsolicited_.empty()) {
    if (!Pump(Remaining(deadline))) break;
  }
  if (unsolicited_.empty()) return std::nullopt;
  json frame = std::move(unsolicited_.front());
  unsolicited_.pop_front();
  return frame;
}

void ChatClient::Discard(const std::function<bool(const json&)>& which) {
  std::erase_if(unsolicited_, which);
}

bool ChatClient::Pump(std::chrono::milliseconds timeout) {
  std::optional<std::string> line = ws_->Receive(timeout);
  if (!line) return false;
  json frame = json::parse(*line, nullptr, false);
  if (!frame.is_object()) return true;  // not ours to judge; a node never sends this
  auto ref = frame.find("ref");
  if (ref != frame.end() && ref->is_number_integer()) {
    // The key first: json's operator= takes its argument by value, and C++17 evaluates the right
    // side of an assignment first, which would move `frame` out from under `ref`.
    std::int64_t key = ref->get<std::int64_t>();
    replies_[key] = std::move(frame);
  } else {
    unsolicited_.push_back(std::move(frame));
  }
  return true;
}

bool ChatClient::lost() const { return gave_up_ || ws_->closed(); }

std::string ChatClient::LossDescription() const {
  if (ws_->closed()) {
    if (ws_->close_code() == 0) return "connection dropped";
    std::string out = "closed by the node (" + std::to_string(ws_->close_code());
    if (!ws_->close_reason().empty()) out += ": " + ws_->close_reason();
    return out + ")";
  }
  if (gave_up_) return "the node stopped answering";
  return "connected";
}

Error ChatClient::LostError() const {
  if (ws_->closed() && ws_->close_code() == kCloseUnauthorized) {
    std::string reason = ws_->close_reason();
    return Error{"unauthorized", reason.empty() ? "the node refused the credentials" : reason};
  }
  return Error{"unavailable", "connection to " + url_.ToString() + " lost: " + LossDescription()};
}

}  // namespace chatctl
