// A protocol session with a node for the CLI: hello/welcome, requests matched to their replies by
// an integer `ref`, and the frames nobody asked for (msg, presence) queued for the caller. Owned
// and driven by one thread, like the WsClient under it.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/client/url.h"
#include "lib/client/ws_client.h"
#include "lib/result.h"

namespace chatctl {

// What a client says hello with, in this order: a token; a token an earlier password welcome
// issued; the user name and password; the user name alone (open mode).
struct Credentials {
  std::string token;
  std::string user;
  std::string password;
  // Kept from a password welcome (ChatClient::Connect fills it in) so that reconnects do not send
  // the password again. The password stays too: the token lasts a day and a tail -f lasts longer.
  std::string issued_token;
};

// The `hello` frame for `credentials` (see Credentials for which field wins); nullopt when there is
// nothing to say hello with.
std::optional<nlohmann::json> HelloFrame(const Credentials& credentials);

class ChatClient {
 public:
  // Tries the URLs in order and keeps the first node that welcomes us. A refusal of the credentials
  // (close 4401) is final and comes back as Error{"unauthorized", reason} without trying the rest;
  // anything else that fails is "unavailable". `timeout` applies to each URL.
  // A password welcome's token goes into credentials.issued_token for the next Connect. A refused
  // issued_token (expired, or the cluster's secret changed) is retried once with the password.
  static Result<std::unique_ptr<ChatClient>> Connect(const std::vector<WsUrl>& urls,
                                                     Credentials& credentials,
                                                     std::chrono::milliseconds timeout);

  const WsUrl& url() const { return url_; }
  const std::string& user() const { return user_; }  // as the node welcomed us
  const std::string& node() const { return node_; }
  std::int64_t server_time() const { return server_time_; }  // ms since the epoch, at welcome

  // Sends `request` (an object with "type") under a fresh ref and returns the ref.
  Result<std::int64_t> Start(nlohmann::json request);
  // Waits for the reply that carries `ref`. An `error` reply becomes Error{code, message}. When the
  // connection ends or no reply comes in time the error is "unavailable" (or "unauthorized" for a
  // close 4401) and lost() is true from then on.
  Result<nlohmann::json> Await(std::int64_t ref, std::chrono::milliseconds timeout);
  Result<nlohmann::json> Call(nlohmann::json request, std::chrono::milliseconds timeout);

  // The next frame that answers no request of ours (msg, presence events, errors without ref);
  // nullopt on timeout, or once the connection is gone and everything it brought has been read.
  std::optional<nlohmann::json> Next(std::chrono::milliseconds timeout);
  // Drops queued unsolicited frames that `which` selects.
  void Discard(const std::function<bool(const nlohmann::json&)>& which);

  // True once the connection is over: closed by the node, dropped, or given up on after a timeout.
  // Replies and frames it delivered before that can still be read.
  bool lost() const;
  int close_code() const { return ws_->close_code(); }
  const std::string& close_reason() const { return ws_->close_reason(); }
  // For people: "closed by the node (1001: node shutting down)", "connection dropped".
  std::string LossDescription() const;

 private:
  ChatClient(WsUrl url, std::unique_ptr<WsClient> ws);
  static Result<std::unique_ptr<ChatClient>> ConnectOne(const WsUrl& url, Credentials& credentials,
                                                        std::chrono::milliseconds timeout);
  static Result<std::unique_ptr<ChatClient>> ConnectWith(const WsUrl& url,
                                                         const Credentials& credentials,
                                                         std::chrono::milliseconds timeout);
  Status Hello(const Credentials& credentials, std::chrono::milliseconds timeout);
  // Reads one frame from the wire and files it: a reply under its ref, anything else in the
  // unsolicited queue. False on timeout or when the connection is gone.
  bool Pump(std::chrono::milliseconds timeout);
  Error LostError() const;

  WsUrl url_;
  std::unique_ptr<WsClient> ws_;
  std::string user_;
  std::string node_;
  std::string issued_token_;  // the welcome's "token", when it had one
  std::int64_t server_time_ = 0;
  std::int64_t next_ref_ = 1;
  bool gave_up_ = false;  // a reply did not come in time; the session is out of step
  std::map<std::int64_t, nlohmann::json> replies_;
  std::deque<nlohmann::json> unsolicited_;
};

}  // namespace chatctl
