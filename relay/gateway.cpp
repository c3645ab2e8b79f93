// The gateway thread (see gateway.h): lws callbacks, request handling, fan-out, the drain.
#include "relay/gateway.h"

#include <libwebsockets.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <unordered_set>

#include "lib/auth/jwt.h"
#include "lib/log.h"
#include "lib/names.h"
#include "lib/utf8.h"
#include "relay/history_reader.h"
#include "relay/http_routes.h"
#include "relay/store_writer.h"

namespace chatctl::relay {

struct TickTimer {
  lws_sorted_usec_list_t sul;
  Gateway* gateway;
};

namespace {

constexpr std::size_t kMaxOutboundFrame = 64 * 1024;  // coalesced lines per frame, about
constexpr lws_usec_t kTickUs = 200 * LWS_US_PER_MS;
constexpr std::int64_t kDrainTimeoutMs = 5000;

// What lws keeps per connection for us: the session of a WebSocket, or the reply of an HTTP
// request. Zeroed by lws; we own what the pointers point to.
struct PerConnection {
  Session* session;
  HttpReply* http;        // the answer, once there is one
  HttpRequest* request;   // an API request whose body is still arriving
  std::uint64_t http_id;  // an API request waiting for its answer (0: none)
};

constexpr std::size_t kMaxApiBody = 64 * 1024;

const char* MethodName(int method) {
  switch (method) {
    case LWSHUMETH_GET:
      return "GET";
    case LWSHUMETH_POST:
      return "POST";
    case LWSHUMETH_PUT:
      return "PUT";
    case LWSHUMETH_PATCH:
      return "PATCH";
    case LWSHUMETH_DELETE:
      return "DELETE";
    case LWSHUMETH_HEAD:
      return "HEAD";
    default:
      return "OTHER";
  }
}

bool IsLoopbackPeer(lws* wsi) {
  char peer[64] = {0};
  lws_get_peer_simple(wsi, peer, sizeof peer);
  std::string_view p(peer);
  if (p.rfind("::ffff:", 0) == 0) p.remove_prefix(7);
  return p == "::1" || p.rfind("127.", 0) == 0;
}

// The request line, headers and query of an API request; the body follows.
HttpRequest* ReadRequestHead(lws* wsi, const char* path) {
  auto* r = new HttpRequest;
  char* uri = nullptr;
  int uri_len = 0;
  r->method = MethodName(lws_http_get_uri_and_method(wsi, &uri, &uri_len));
  r->path = path != nullptr ? path : "/";
  char fragment[512];
  for (int n = 0;
       lws_hdr_copy_fragment(wsi, fragment, sizeof fragment, WSI_TOKEN_HTTP_URI_ARGS, n) > 0; ++n) {
    std::string_view arg(fragment);
    auto eq = arg.find('=');
    if (eq == std::string_view::npos) {
      r->query[std::string(arg)] = "";
    } else {
      r->query[std::string(arg.substr(0, eq))] = std::string(arg.substr(eq + 1));
    }
  }
  char auth[2048];
  if (lws_hdr_copy(wsi, auth, sizeof auth, WSI_TOKEN_HTTP_AUTHORIZATION) > 0) {
    std::string_view a(auth);
    if (a.rfind("Bearer ", 0) == 0 || a.rfind("bearer ", 0) == 0) r->bearer = a.substr(7);
  }
  r->from_loopback = IsLoopbackPeer(wsi);
  return r;
}

int Trampoline(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
  auto* gateway = static_cast<Gateway*>(lws_context_user(lws_get_context(wsi)));
  if (gateway == nullptr) return lws_callback_http_dummy(wsi, reason, user, in, len);
  return gateway->OnCallback(wsi, static_cast<int>(reason), user, in, len);
}

// lws gives every connection a receive buffer of this size (its default, 4 KiB, was two thirds of
// an idle connection's memory). Longer frames arrive in pieces, which OnReceive reassembles. The
// send size is given apart, or lws would cap it to the receive buffer too.
constexpr std::size_t kReceiveBufferBytes = 512;

const lws_protocols kProtocols[] = {
    {protocol::kSubprotocol, Trampoline, sizeof(PerConnection), kReceiveBufferBytes, 0, nullptr,
     kMaxOutboundFrame + LWS_PRE},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

void LwsLog(int level, const char* line) {
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (level & LLL_ERR) {
    log::Error("lws", {{"detail", text}});
  } else {
    log::Warn("lws", {{"detail", text}});
  }
}

void OnTickTimer(lws_sorted_usec_list_t* sul) {
  auto* timer = lws_container_of(sul, TickTimer, sul);
  timer->gateway->OnTick();
}

}  // namespace

Gateway::Gateway(GatewayConfig config)
    : config_(std::move(config)), ids_(config_.node_id), tick_(std::make_unique<TickTimer>()) {
  ids_.AdvancePast(config_.id_floor);
  std::memset(&tick_->sul, 0, sizeof tick_->sul);
  tick_->gateway = this;
}

Gateway::~Gateway() {
  if (context_ != nullptr) lws_context_destroy(context_);
  for (auto& [id, session] : sessions_) delete session;
}

Result<std::unique_ptr<Gateway>> Gateway::Create(GatewayConfig config) {
  lws_set_log_level(LLL_ERR | LLL_WARN, LwsLog);
  std::unique_ptr<Gateway> gateway(new Gateway(std::move(config)));
  const GatewayConfig& c = gateway->config_;

  static lws_retry_bo_t retry{};
  retry.secs_since_valid_ping = static_cast<uint16_t>(c.limits.ping_interval_seconds);
  retry.secs_since_valid_hangup = static_cast<uint16_t>(c.limits.ping_interval_seconds + 10);

  lws_context_creation_info info;
  std::memset(&info, 0, sizeof info);
  info.port = c.port;
  // lws binds "any address" when iface is null.
  info.iface = (c.host.empty() || c.host == "0.0.0.0") ? nullptr : c.host.c_str();
  info.protocols = kProtocols;
  info.user = gateway.get();
  info.retry_and_idle_policy = &retry;
  info.options = LWS_SERVER_OPTION_VALIDATE_UTF8;
  if (c.host.find(':') == std::string::npos && c.host != "localhost") {
    info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
  }
  info.timeout_secs = 10;
  gateway->context_ = lws_create_context(&info);
  if (gateway->context_ == nullptr) {
    return Error{"unavailable", "cannot listen on " + c.host + ":" + std::to_string(c.port) +
                                    " (address in use, or not an address of this machine)"};
  }
  lws_vhost* vhost = lws_get_vhost_by_name(gateway->context_, "default");
  gateway->port_ = vhost != nullptr ? lws_get_vhost_listen_port(vhost) : c.port;
  if (gateway->port_ <= 0) gateway->port_ = c.port;
  return gateway;
}

std::int64_t Gateway::NowMs() const { return SystemClockMs(); }

void Gateway::Run(StoreWriter& writer, HistoryReader& reader, bus::Bus& bus, Worker& queries,
                  Worker& passwords) {
  writer_ = &writer;
  reader_ = &reader;
  bus_ = &bus;
  queries_ = &queries;
  passwords_ = &passwords;
  lws_sul_schedule(context_, 0, &tick_->sul, OnTickTimer, kTickUs);
  while (!done_) {
    if (lws_service(context_, 0) < 0) break;
  }
  lws_sul_cancel(&tick_->sul);
}

void Gateway::RequestStop() {
  stop_requested_ = true;
  if (context_ != nullptr) lws_cancel_service(context_);
}

void Gateway::Post(GatewayEvent event) {
  inbox_.PushAlways(std::move(event));
  lws_cancel_service(context_);
}

// --- lws callbacks ----------------------------------------------------------------------------

int Gateway::OnCallback(lws* wsi, int reason_int, void* user, void* in, std::size_t len) {
  auto reason = static_cast<lws_callback_reasons>(reason_int);
  auto* pc = static_cast<PerConnection*>(user);
  switch (reason) {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
      DrainInbox();
      if (stop_requested_ && !draining_) {
        draining_ = true;
        drain_started_ms_ = NowMs();
        log::Info("draining", {{"sessions", std::to_string(sessions_.size())},
                               {"writes_in_flight", std::to_string(writes_in_flight_)}});
        OnTick();
      }
      return 0;

    case LWS_CALLBACK_HTTP: {
      const char* path = static_cast<const char*>(in);
      std::string_view route = path != nullptr ? path : "/";
      pc->http = nullptr;
      pc->request = nullptr;
      pc->http_id = 0;
      if (route.rfind("/api/v1/", 0) != 0 || route == "/api/v1/nodes") {
        NodeSnapshot snap{sessions_.size(), channel_index_.size(), writes_in_flight_, draining_,
                          stats_,           config_.node_id,       cluster_};
        pc->http = new HttpReply(RouteHttp(route, snap));
        lws_callback_on_writable(wsi);
        return 0;
      }
      pc->request = ReadRequestHead(wsi, path);
      pc->http_id = next_http_id_++;
      http_waiting_[pc->http_id] = wsi;
      char length[32];
      bool has_body = lws_hdr_copy(wsi, length, sizeof length, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 &&
                      std::atoll(length) > 0;
      if (has_body && static_cast<std::size_t>(std::atoll(length)) > kMaxApiBody) {
        Respond(pc->http_id, ErrorHttpReply({"too_large", "a request body has at most 64 KiB"}));
        return 0;
      }
      if (!has_body) {
        std::unique_ptr<HttpRequest> request(pc->request);
        pc->request = nullptr;
        HandleApi(pc->http_id, *request);
      }
      return 0;  // the body arrives in LWS_CALLBACK_HTTP_BODY
    }
    case LWS_CALLBACK_HTTP_BODY:
      if (pc == nullptr || pc->request == nullptr) return 0;
      if (pc->request->body.size() + len > kMaxApiBody) {
        delete pc->request;
        pc->request = nullptr;
        Respond(pc->http_id, ErrorHttpReply({"too_large", "a request body has at most 64 KiB"}));
        return 0;
      }
      pc->request->body.append(static_cast<const char*>(in), len);
      return 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
      if (pc != nullptr && pc->request != nullptr) {
        std::unique_ptr<HttpRequest> request(pc->request);
        pc->request = nullptr;
        HandleApi(pc->http_id, *request);
      }
      return 0;
    case LWS_CALLBACK_HTTP_WRITEABLE: {
      if (pc == nullptr || pc->http == nullptr) return 0;  // still waiting for the answer
      std::unique_ptr<HttpReply> reply(pc->http);
      pc->http = nullptr;
      unsigned char headers[LWS_PRE + 512];
      unsigned char* start = headers + LWS_PRE;
      unsigned char* p = start;
      unsigned char* end = headers + sizeof headers - 1;
      if (lws_add_http_common_headers(wsi, static_cast<unsigned>(reply->status),
                                      reply->content_type.c_str(), reply->body.size(), &p,
                                      end) != 0 ||
          lws_finalize_write_http_header(wsi, start, &p, end) != 0) {
        return -1;
      }
      std::vector<unsigned char> body(LWS_PRE + reply->body.size());
      std::memcpy(body.data() + LWS_PRE, reply->body.data(), reply->body.size());
      if (lws_write(wsi, body.data() + LWS_PRE, body.size() - LWS_PRE, LWS_WRITE_HTTP_FINAL) < 0) {
        return -1;
      }
      return lws_http_transaction_completed(wsi) != 0 ? -1 : 0;
    }
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
      if (pc != nullptr) {
        delete pc->http;
        pc->http = nullptr;
        delete pc->request;
        pc->request = nullptr;
        if (pc->http_id != 0) http_waiting_.erase(pc->http_id);
        pc->http_id = 0;
      }
      return 0;

    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
      char uri[256];
      if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) < 0) return 1;
      std::string_view path(uri);
      if (auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
      if (path != "/ws" && path != "/ws/") return 1;  // the protocol's one endpoint
      return draining_ ? 1 : 0;
    }

    case LWS_CALLBACK_ESTABLISHED: {
      auto* s = new Session(next_session_id_++, wsi, config_.limits, NowMs());
      sessions_.emplace(s->id, s);
      pc->session = s;
      pc->http = nullptr;
      pc->request = nullptr;
      pc->http_id = 0;
      char peer[64] = {0};
      lws_get_peer_simple(wsi, peer, sizeof peer);
      s->peer = peer;
      ++stats_.sessions_opened;
      return 0;
    }
    case LWS_CALLBACK_RECEIVE:
      if (pc == nullptr || pc->session == nullptr) return -1;
      return OnReceive(*pc->session, static_cast<const char*>(in), len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
      if (pc == nullptr || pc->session == nullptr) return -1;
      return OnWritable(*pc->session);
    case LWS_CALLBACK_CLOSED:
      if (pc != nullptr && pc->session != nullptr) {
        OnSessionClosed(pc->session);
        pc->session = nullptr;
      }
      return 0;
    default:
      break;
  }
  return lws_callback_http_dummy(wsi, reason, user, in, len);
}

void Gateway::OnTick() {
  std::int64_t now = NowMs();
  if (presence_dirty_ && bus_ != nullptr) {
    // At most one copy per tick, however many joins and leaves came in between.
    presence_dirty_ = false;
    bus::PresenceMap local;
    for (const auto& [channel, users] : presence_) {
      auto& set = local[channel];
      for (const auto& [user, count] : users) set.insert(user);
    }
    bus_->SetPresence(std::move(local));
  }
  for (auto it = failed_logins_.begin(); it != failed_logins_.end();) {
    it = it->second.Full(now) ? failed_logins_.erase(it) : std::next(it);  // forgiven
  }
  for (auto& [id, s] : sessions_) {
    if (!s->authenticated() && !s->closing() && now >= s->hello_deadline_ms) {
      CloseSession(*s, protocol::kCloseUnauthorized, "no hello within the time allowed");
    }
  }
  if (draining_) {
    // Acks first: everything handed to the store is committed and answered, then clients go.
    if (!closing_all_ && (writes_in_flight_ == 0 || now - drain_started_ms_ > kDrainTimeoutMs)) {
      closing_all_ = true;
      for (auto& [id, s] : sessions_) {
        CloseSession(*s, protocol::kCloseGoingAway, "node shutting down");
      }
    }
    if (closing_all_ && (sessions_.empty() || now - drain_started_ms_ > 2 * kDrainTimeoutMs)) {
      done_ = true;
      lws_cancel_service(context_);
      return;
    }
  }
  lws_sul_schedule(context_, 0, &tick_->sul, OnTickTimer, kTickUs);
}

// --- inbound ----------------------------------------------------------------------------------

int Gateway::OnReceive(Session& s, const char* data, std::size_t len) {
  if (s.closing()) return 0;  // drop what arrives on a connection on its way out
  if (s.rx.empty()) s.rx_binary = lws_frame_is_binary(s.wsi) != 0;
  std::size_t announced = s.rx.size() + len + lws_remaining_packet_payload(s.wsi);
  if (announced > config_.limits.max_frame_bytes) {
    std::string reason =
        "frame larger than " + std::to_string(config_.limits.max_frame_bytes) + " bytes";
    lws_close_reason(s.wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
                     reinterpret_cast<unsigned char*>(reason.data()), reason.size());
    return -1;
  }
  s.rx.append(data, len);
  if (lws_remaining_packet_payload(s.wsi) != 0 || !lws_is_final_fragment(s.wsi)) return 0;

  std::string frame;
  frame.swap(s.rx);
  if (s.rx_binary) {
    SendText(s, protocol::ErrorReply(nullptr, "bad_request",
                                     "binary frames are not supported: send JSON in text frames"));
    return 0;
  }
  if (!IsValidUtf8(frame)) {
    static const char kReason[] = "invalid UTF-8";
    lws_close_reason(s.wsi, LWS_CLOSE_STATUS_INVALID_PAYLOAD,
                     reinterpret_cast<unsigned char*>(const_cast<char*>(kReason)),
                     sizeof kReason - 1);
    return -1;
  }
  HandleFrame(s, frame);
  return 0;
}

void Gateway::HandleFrame(Session& s, std::string_view frame) {
  for (auto& parsed : protocol::ParseFrame(frame, config_.limits)) {
    if (s.closing()) break;
    if (auto* bad = std::get_if<protocol::Invalid>(&parsed)) {
      SendText(s, protocol::ErrorReply(bad->ref, bad->code, bad->message));
      continue;
    }
    auto& request = std::get<protocol::Request>(parsed);
    const protocol::Ref& ref = request.ref;
    if (auto* hello = std::get_if<protocol::Hello>(&request.body)) {
      HandleHello(s, ref, *hello);
      continue;
    }
    if (auto* reg = std::get_if<protocol::Register>(&request.body)) {
      HandleRegister(s, ref, *reg);
      continue;
    }
    if (!s.authenticated()) {
      SendText(s, protocol::ErrorReply(ref, "unauthorized", "say hello first"));
      continue;
    }
    std::visit(
        [&](auto& body) {
          using T = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<T, protocol::Join>) {
            HandleJoin(s, ref, body);
          } else if constexpr (std::is_same_v<T, protocol::Leave>) {
            HandleLeave(s, ref, body);
          } else if constexpr (std::is_same_v<T, protocol::Send>) {
            HandleSend(s, ref, std::move(body));
          } else if constexpr (std::is_same_v<T, protocol::History>) {
            HandleHistory(s, ref, body);
          } else if constexpr (std::is_same_v<T, protocol::PresenceQuery>) {
            HandlePresence(s, ref, body);
          } else if constexpr (std::is_same_v<T, protocol::Ping>) {
            SendText(s, protocol::Pong(ref));
          } else if constexpr (std::is_same_v<T, protocol::RoomOp>) {
            HandleRoomOp(s, ref, body);
          } else if constexpr (std::is_same_v<T, protocol::MessageOp>) {
            HandleMessageOp(s, ref, body);
          }
        },
        request.body);
  }
  FlushWrites();
}

void Gateway::FlushWrites() {
  if (frame_writes_.empty()) return;
  if (writer_->SubmitAll(std::move(frame_writes_))) {
    frame_writes_.clear();
    return;
  }
  for (const WriteJob& job : frame_writes_) {  // the queue took none of them
    --writes_in_flight_;
    if (Session* s = FindSession(job.session)) {
      SendText(*s, protocol::ErrorReply(job.ref, "unavailable", "store queue full; try again"));
    }
  }
  frame_writes_.clear();
}

void Gateway::HandleHello(Session& s, const protocol::Ref& ref, const protocol::Hello& hello) {
  if (s.authenticated() || s.login_pending) {
    SendText(s, protocol::ErrorReply(ref, "conflict",
                                     s.authenticated() ? "already welcomed as '" + s.user + "'"
                                                       : "a login is already under way"));
    return;
  }
  std::string user;
  bool admin = false;
  if (hello.token) {
    if (!config_.secret) {
      CloseSession(s, protocol::kCloseUnauthorized,
                   "this node has no secret configured and cannot verify tokens");
      return;
    }
    auto claims = VerifyToken(*hello.token, *config_.secret, NowMs() / 1000);
    if (!claims.ok()) {
      CloseSession(s, protocol::kCloseUnauthorized, claims.error().message);
      return;
    }
    if (auto stale = directory_.RefuseToken(claims->sub, claims->iat_ms)) {
      CloseSession(s, protocol::kCloseUnauthorized, stale->message);
      return;
    }
    user = claims->sub;
    admin = claims->admin;
  } else if (hello.password) {
    HandlePasswordHello(s, ref, *hello.user, *hello.password);
    return;
  } else if (hello.user) {
    if (!config_.open_mode) {
      CloseSession(s, protocol::kCloseUnauthorized, "this node requires a token");
      return;
    }
    if (!IsValidUserName(*hello.user)) {
      CloseSession(s, protocol::kCloseUnauthorized, "invalid user name '" + *hello.user + "'");
      return;
    }
    user = *hello.user;
  }
  if (auto refused = directory_.RefuseUser(user, NowMs())) {
    CloseSession(
        s, refused->code == "unauthorized" ? protocol::kCloseUnauthorized : protocol::kCloseKicked,
        refused->message);
    return;
  }
  Welcome(s, user, admin, /*with_token=*/false);
}

std::optional<Error> Gateway::RefuseAccess(const Session& s, const std::string& channel) const {
  if (!IsDmChannel(channel)) return directory_.RefuseRoom(channel, s.user, s.admin, NowMs());
  auto users = ParseDmChannel(channel);
  if (users && (users->first == s.user || users->second == s.user)) return std::nullopt;
  return Error{"forbidden", "not a member of channel '" + channel + "'"};
}

void Gateway::HandleJoin(Session& s, const protocol::Ref& ref, const protocol::Join& join) {
  const std::string& channel = join.channel;
  if (auto refused = RefuseAccess(s, channel)) {
    SendText(s, protocol::ErrorReply(ref, refused->code, refused->message));
    return;
  }
  if (s.channels.count(channel) != 0) {
    SendText(s, protocol::ErrorReply(ref, "conflict", "already joined '" + channel + "'"));
    return;
  }
  if (s.channels.size() >= config_.limits.max_joins_per_session) {
    SendText(s,
             protocol::ErrorReply(ref, "too_large",
                                  "joined too many channels (limit " +
                                      std::to_string(config_.limits.max_joins_per_session) + ")"));
    return;
  }
  ReadJob job;
  job.session = s.id;
  job.ref = ref;
  job.channel = channel;
  job.floor = directory_.HistoryFloor(channel);
  if (join.since) {
    job.kind = ReadJob::Kind::kJoinSince;
    job.anchor = *join.since;
    job.limit = static_cast<int>(config_.limits.since_replay_max);
  } else if (join.last && *join.last > 0) {
    job.kind = ReadJob::Kind::kJoinLast;
    job.limit = *join.last;
  } else {
    Subscribe(s, channel);
    SendText(s, protocol::Joined(ref, channel, {}, false));
    return;
  }
  Subscribe(s, channel);
  s.channels[channel].replaying = true;
  ++s.replaying_channels;
  if (!reader_->Submit(std::move(job))) {
    Unsubscribe(s, channel);
    SendText(s, protocol::ErrorReply(ref, "unavailable", "history reader busy; try again"));
  }
}

void Gateway::HandleLeave(Session& s, const protocol::Ref& ref, const protocol::Leave& leave) {
  if (s.channels.count(leave.channel) == 0) {
    SendText(s, protocol::ErrorReply(ref, "not_found", "not joined to '" + leave.channel + "'"));
    return;
  }
  Unsubscribe(s, leave.channel);
  SendText(s, protocol::Left(ref, leave.channel));
}

void Gateway::HandleSend(Session& s, const protocol::Ref& ref, protocol::Send send) {
  if (!s.bucket.Take(NowMs())) {
    if (++s.rate_strikes >= config_.limits.rate_strikes_before_close) {
      CloseSession(s, protocol::kCloseRateLimited, "rate limit exceeded again and again");
    } else {
      SendText(s, protocol::ErrorReply(ref, "rate_limited", "too many messages; slow down"));
    }
    return;
  }
  s.rate_strikes = 0;
  std::string channel = send.to ? DmChannel(s.user, *send.to) : std::move(send.channel);
  if (auto refused = RefuseAccess(s, channel)) {
    SendText(s, protocol::ErrorReply(ref, refused->code, refused->message));
    return;
  }
  if (draining_) {
    SendText(s, protocol::ErrorReply(ref, "unavailable", "node shutting down"));
    return;
  }
  WriteJob job;
  job.message.id = ids_.Next();
  job.message.ts = IdTimestampMs(job.message.id);
  job.message.channel = std::move(channel);
  job.message.from = s.user;
  job.message.text = std::move(send.text);
  job.message.origin = config_.node_id;
  job.session = s.id;
  job.ref = ref;
  frame_writes_.push_back(std::move(job));  // to the writer with the frame's other sends
  ++writes_in_flight_;
}

void Gateway::HandleHistory(Session& s, const protocol::Ref& ref, const protocol::History& h) {
  if (auto refused = RefuseAccess(s, h.channel)) {
    SendText(s, protocol::ErrorReply(ref, refused->code, refused->message));
    return;
  }
  ReadJob job;
  job.kind = ReadJob::Kind::kHistory;
  job.session = s.id;
  job.ref = ref;
  job.channel = h.channel;
  job.anchor = h.before.value_or(0);
  job.limit = h.limit;
  job.floor = directory_.HistoryFloor(h.channel);
  if (!reader_->Submit(std::move(job))) {
    SendText(s, protocol::ErrorReply(ref, "unavailable", "history reader busy; try again"));
  }
}

void Gateway::HandlePresence(Session& s, const protocol::Ref& ref,
                             const protocol::PresenceQuery& q) {
  if (auto refused = RefuseAccess(s, q.channel)) {
    SendText(s, protocol::ErrorReply(ref, refused->code, refused->message));
    return;
  }
  SendText(s, protocol::PresenceList(ref, q.channel, OnlineIn(q.channel)));
}

std::vector<std::string> Gateway::OnlineIn(const std::string& channel) const {
  std::set<std::string> users;
  if (auto it = presence_.find(channel); it != presence_.end()) {
    for (const auto& [user, count] : it->second) users.insert(user);
  }
  for (const auto& [node, rooms] : remote_presence_) {
    if (auto it = rooms.find(channel); it != rooms.end())
      users.insert(it->second.begin(), it->second.end());
  }
  return {users.begin(), users.end()};
}

void Gateway::Respond(std::uint64_t http_id, HttpReply reply) {
  auto it = http_waiting_.find(http_id);
  if (it == http_waiting_.end()) return;  // the caller hung up meanwhile
  lws* wsi = it->second;
  http_waiting_.erase(it);
  auto* pc = static_cast<PerConnection*>(lws_wsi_user(wsi));
  if (pc == nullptr) return;
  delete pc->http;
  pc->http = new HttpReply(std::move(reply));
  pc->http_id = 0;
  lws_callback_on_writable(wsi);
}

// --- results from the store and the reader ----------------------------------------------------

void Gateway::DrainInbox() {
  for (auto& event : inbox_.TryPopAll()) {
    if (auto* committed = std::get_if<Committed>(&event)) {
      OnCommitted(std::move(*committed));
    } else if (auto* done = std::get_if<ReadDone>(&event)) {
      OnReadDone(std::move(*done));
    } else if (auto* remote = std::get_if<RemotePresence>(&event)) {
      OnRemotePresence(std::move(*remote));
    } else if (auto* task = std::get_if<Task>(&event)) {
      task->run();
    } else {
      cluster_ = std::move(std::get<bus::ClusterView>(event));
    }
  }
}

void Gateway::OnCommitted(Committed committed) {
  std::uint64_t local = 0;
  for (const auto& job : committed.jobs) local += job.remote ? 0 : 1;
  writes_in_flight_ -= std::min(writes_in_flight_, local);
  if (committed.error) {
    ++stats_.store_errors;
    for (const auto& job : committed.jobs) {
      if (job.done) {
        job.done(job, committed.error);
        continue;
      }
      if (Session* s = FindSession(job.session)) {
        SendText(*s, protocol::ErrorReply(job.ref, "unavailable",
                                          "message not stored: " + committed.error->message));
      }
    }
    return;
  }
  for (const auto& job : committed.jobs) {
    if (job.message.is_control()) {
      ApplyControl(job);
      if (job.done) job.done(job, std::nullopt);
      continue;
    }
    ++(job.remote ? stats_.messages_replicated : stats_.messages_accepted);
    if (Session* s = FindSession(job.session)) SendText(*s, protocol::Ack(job.ref, job.message));
    if (job.done) job.done(job, std::nullopt);
    FanOut(job.message);
  }
}

void Gateway::OnReadDone(ReadDone done) {
  Session* s = FindSession(done.job.session);
  if (s == nullptr) return;
  const ReadJob& job = done.job;
  if (!done.page.ok()) {
    if (job.kind != ReadJob::Kind::kHistory) Unsubscribe(*s, job.channel);
    SendText(*s, protocol::ErrorReply(job.ref, "unavailable", done.page.error().message));
    return;
  }
  Page& page = done.page.value();
  if (job.kind == ReadJob::Kind::kHistory) {
    SendText(*s, protocol::HistoryReply(job.ref, job.channel, page.messages, page.more));
    return;
  }
  auto it = s->channels.find(job.channel);
  if (it == s->channels.end() || !it->second.replaying) return;  // left meanwhile
  bool truncated = job.kind == ReadJob::Kind::kJoinSince && page.more;
  SendText(*s, protocol::Joined(job.ref, job.channel, page.messages, truncated));
  // Live messages that arrived during the read follow, less those the read already had.
  std::unordered_set<MessageId> replayed;
  for (const auto& m : page.messages) replayed.insert(m.id);
  auto held = std::move(it->second.held);
  it->second.replaying = false;
  --s->replaying_channels;
  for (auto& [id, line] : held) {
    if (replayed.count(id) != 0) continue;
    if (job.kind == ReadJob::Kind::kJoinSince && id <= job.anchor) continue;
    SendLine(*s, line);
  }
}

// --- outbound ---------------------------------------------------------------------------------

void Gateway::SendLine(Session& s, Line line) {
  if (s.closing()) return;
  ++stats_.deliveries;
  // A session with output queued is already waiting for a writable callback (OnWritable asks for
  // the next while anything is left): asking again per delivery only costs lws a pollfd update.
  bool was_idle = !s.has_output();
  if (!s.Enqueue(std::move(line))) {
    ++stats_.slow_closes;
    log::Info("closing a session that does not read",
              {{"user", s.user}, {"queued_bytes", std::to_string(s.queued_bytes())}});
    CloseSession(s, protocol::kCloseTooSlow, "too slow: reconnect with since", true);
    return;
  }
  if (was_idle) lws_callback_on_writable(s.wsi);
}

void Gateway::Deliver(Session& s, const std::string& channel, MessageId id, const Line& line) {
  if (s.replaying_channels > 0) {  // else no lookup: this runs once per delivery
    auto it = s.channels.find(channel);
    if (it != s.channels.end() && it->second.replaying) {
      it->second.held.emplace_back(id, line);
      return;
    }
  }
  SendLine(s, line);
}

void Gateway::FanOut(const Message& m) {
  Line line;  // serialized once, on the first recipient
  auto deliver = [&](Session* s) {
    if (!line) line = std::make_shared<const std::string>(protocol::MessageJson(m));
    Deliver(*s, m.channel, m.id, line);
  };
  if (auto users = ParseDmChannel(m.channel)) {
    // Every session of both users receives a DM without joining.
    for (const std::string* user : {&users->first, &users->second}) {
      if (auto it = user_index_.find(*user); it != user_index_.end()) {
        for (const auto& [id, s] : it->second) deliver(s);
      }
      if (users->first == users->second) break;
    }
    return;
  }
  if (auto it = channel_index_.find(m.channel); it != channel_index_.end()) {
    for (const auto& [id, s] : it->second) deliver(s);
  }
}

void Gateway::CloseSession(Session& s, std::uint16_t code, std::string reason, bool discard) {
  s.RequestClose(code, std::move(reason), discard);
  lws_callback_on_writable(s.wsi);
}

int Gateway::OnWritable(Session& s) {
  if (s.has_output()) {
    s.TakeFrame(LWS_PRE, kMaxOutboundFrame, frame_);
    std::size_t len = frame_.size() - LWS_PRE;
    if (lws_write(s.wsi, frame_.data() + LWS_PRE, len, LWS_WRITE_TEXT) < static_cast<int>(len)) {
      return -1;
    }
    if (s.has_output() || s.closing()) lws_callback_on_writable(s.wsi);
    return 0;
  }
  if (s.closing()) {
    lws_close_reason(s.wsi, static_cast<lws_close_status>(s.close_code),
                     reinterpret_cast<unsigned char*>(s.close_reason.data()),
                     std::min<std::size_t>(s.close_reason.size(), 123));
    return -1;
  }
  return 0;
}

// --- membership and presence ------------------------------------------------------------------

void Gateway::Subscribe(Session& s, const std::string& channel) {
  s.channels.emplace(channel, JoinedChannel{});
  if (IsDmChannel(channel)) return;  // DMs reach their users through user_index_
  channel_index_[channel].emplace(s.id, &s);
  if (++presence_[channel][s.user] == 1) {
    presence_dirty_ = true;
    if (!PresentRemotely(channel, s.user)) AnnouncePresence(channel, s.user, true, s.id);
  }
}

bool Gateway::PresentLocally(const std::string& channel, const std::string& user) const {
  auto room = presence_.find(channel);
  return room != presence_.end() && room->second.count(user) != 0;
}

bool Gateway::PresentRemotely(const std::string& channel, const std::string& user,
                              std::optional<std::uint32_t> except_node) const {
  for (const auto& [node, rooms] : remote_presence_) {
    if (node == except_node) continue;
    auto room = rooms.find(channel);
    if (room != rooms.end() && room->second.count(user) != 0) return true;
  }
  return false;
}

void Gateway::AnnouncePresence(const std::string& channel, const std::string& user, bool joined,
                               SessionId skip) {
  auto sessions = channel_index_.find(channel);
  if (sessions == channel_index_.end()) return;
  std::size_t max = config_.limits.presence_events_max;
  if (max > 0 && sessions->second.size() > max) {
    ++stats_.presence_events_skipped;
    return;  // a big room: members ask with `presence` instead
  }
  Line event = std::make_shared<const std::string>(protocol::PresenceEvent(channel, user, joined));
  for (const auto& [id, other] : sessions->second) {
    if (id != skip) SendLine(*other, event);
  }
}

void Gateway::OnRemotePresence(RemotePresence remote) {
  bus::PresenceMap before;
  if (auto it = remote_presence_.find(remote.node); it != remote_presence_.end()) {
    before = std::move(it->second);
  }
  // Only a change of the cluster-wide answer is news: a user still online elsewhere did not go.
  auto online_elsewhere = [&](const std::string& channel, const std::string& user) {
    return PresentLocally(channel, user) || PresentRemotely(channel, user, remote.node);
  };
  for (const auto& [channel, users] : before) {
    auto now = remote.users.find(channel);
    for (const auto& user : users) {
      bool stays = now != remote.users.end() && now->second.count(user) != 0;
      if (!stays && !online_elsewhere(channel, user)) AnnouncePresence(channel, user, false);
    }
  }
  for (const auto& [channel, users] : remote.users) {
    auto was = before.find(channel);
    for (const auto& user : users) {
      bool new_here = was == before.end() || was->second.count(user) == 0;
      if (new_here && !online_elsewhere(channel, user)) AnnouncePresence(channel, user, true);
    }
  }
  if (remote.users.empty()) {
    remote_presence_.erase(remote.node);
  } else {
    remote_presence_[remote.node] = std::move(remote.users);
  }
}

void Gateway::Unsubscribe(Session& s, std::string channel) {
  auto joined = s.channels.find(channel);
  if (joined != s.channels.end()) {
    if (joined->second.replaying) --s.replaying_channels;
    s.channels.erase(joined);
  }
  if (IsDmChannel(channel)) return;
  auto idx = channel_index_.find(channel);
  if (idx != channel_index_.end()) {
    idx->second.erase(s.id);
    if (idx->second.empty()) channel_index_.erase(idx);
  }
  auto room = presence_.find(channel);
  if (room == presence_.end()) return;
  auto user = room->second.find(s.user);
  if (user == room->second.end() || --user->second > 0) return;
  room->second.erase(user);
  if (room->second.empty()) presence_.erase(room);
  presence_dirty_ = true;
  if (!PresentRemotely(channel, s.user)) AnnouncePresence(channel, s.user, false);
}

void Gateway::OnSessionClosed(Session* s) {
  while (!s->channels.empty()) Unsubscribe(*s, s->channels.begin()->first);
  if (s->authenticated()) {
    auto it = user_index_.find(s->user);
    if (it != user_index_.end()) {
      it->second.erase(s->id);
      if (it->second.empty()) user_index_.erase(it);
    }
  }
  sessions_.erase(s->id);
  delete s;
}

Session* Gateway::FindSession(SessionId id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

}  // namespace chatctl::relay
