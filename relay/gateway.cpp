// The gateway thread (see gateway.h): the lws context and loop, the WebSocket callbacks, the
// tick, the drain, and what comes back from the other threads.
#include "relay/gateway.h"

#include <libwebsockets.h>

#include <cstring>

#include "lib/log.h"
#include "lib/utf8.h"
#include "relay/history_reader.h"
#include "relay/http/origin_check.h"
#include "relay/http/upgrade_check.h"
#include "relay/store_writer.h"

namespace chatctl::relay {
namespace {

constexpr lws_usec_t kTickUs = 200 * LWS_US_PER_MS;
constexpr std::int64_t kDrainTimeoutMs = 5000;
constexpr const char* kApiPrefix = "/api/v1/";

// What lws keeps per WebSocket for us (zeroed by lws); the session table owns the session.
struct PerSession {
  Session* session;
};

// lws gives every connection a receive buffer of this size (its default, 4 KiB, was two thirds of
// an idle connection's memory). Longer frames arrive in pieces, which OnReceive reassembles. The
// send size is given apart, or lws would cap it to the receive buffer too.
constexpr std::size_t kReceiveBufferBytes = 512;

void LwsLog(int level, const char* line) {
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (level & LLL_ERR) {
    log::Error("lws", {{"detail", text}});
  } else {
    log::Warn("lws", {{"detail", text}});
  }
}

}  // namespace

struct Gateway::LwsSetup {
  lws_sorted_usec_list_t tick;  // first: the timer callback finds the setup from it
  Gateway* gateway = nullptr;
  // The WebSocket protocol first: an upgrade that names no subprotocol gets it. Plain HTTP is
  // mounted at / onto the "http" protocol, as lws's minimal-http-server-dynamic does it.
  lws_protocols protocols[3];
  lws_http_mount mount;
  lws_retry_bo_t retry;
};

Gateway::Gateway(GatewayConfig config, ThreadFailed failed)
    : failed_(std::move(failed)),
      out_(stats_),
      gw_(std::move(config), out_, stats_),
      accounts_(gw_),
      messages_(gw_),
      rooms_(gw_),
      effects_(gw_),
      api_(gw_),
      http_([this](HttpResponder respond, const HttpRequest& request) { Route(respond, request); },
            failed_),
      lws_(std::make_unique<LwsSetup>()) {
  std::memset(&lws_->tick, 0, sizeof lws_->tick);
  lws_->gateway = this;
}

Gateway::~Gateway() {
  if (context_ != nullptr) lws_context_destroy(context_);  // closes sessions: they leave the table
}

Result<std::unique_ptr<Gateway>> Gateway::Create(GatewayConfig config, ThreadFailed failed) {
  lws_set_log_level(LLL_ERR | LLL_WARN, LwsLog);
  std::unique_ptr<Gateway> gateway(new Gateway(std::move(config), std::move(failed)));
  const GatewayConfig& c = gateway->gw_.config;
  LwsSetup& setup = *gateway->lws_;

  std::memset(&setup.protocols, 0, sizeof setup.protocols);
  if (c.web && !c.web_root.empty()) {
    auto page = WebPage::FromDirectory(c.web_root);
    if (!page.ok()) return page.error();
    gateway->web_ = std::move(*page);
  } else if (c.web) {
    gateway->web_ = WebPage::Embedded();
  }
  if (gateway->web_) gateway->web_->AllowConnectTo(c.allowed_origins);

  lws_protocols& ws = setup.protocols[0];
  ws.name = protocol::kSubprotocol;
  ws.callback = [](lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
    return Trampoline(wsi, static_cast<int>(reason), user, in, len);
  };
  ws.per_session_data_size = sizeof(PerSession);
  ws.rx_buffer_size = kReceiveBufferBytes;
  ws.tx_packet_size = LwsOutbound::kMaxFrameBytes + LWS_PRE;
  ws.user = gateway.get();
  setup.protocols[1] = gateway->http_.Protocol();

  std::memset(&setup.mount, 0, sizeof setup.mount);
  setup.mount.mountpoint = "/";
  setup.mount.mountpoint_len = 1;
  setup.mount.origin = HttpServer::kProtocolName;
  setup.mount.origin_protocol = LWSMPRO_CALLBACK;

  std::memset(&setup.retry, 0, sizeof setup.retry);
  setup.retry.secs_since_valid_ping = static_cast<uint16_t>(c.limits.ping_interval_seconds);
  setup.retry.secs_since_valid_hangup = static_cast<uint16_t>(c.limits.ping_interval_seconds + 10);

  lws_context_creation_info info;
  std::memset(&info, 0, sizeof info);
  info.port = c.port;
  // lws binds "any address" when iface is null.
  info.iface = (c.host.empty() || c.host == "0.0.0.0") ? nullptr : c.host.c_str();
  info.protocols = setup.protocols;
  info.mounts = &setup.mount;
  info.user = gateway.get();
  info.retry_and_idle_policy = &setup.retry;
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

void Gateway::Run(StoreWriter& writer, HistoryReader& reader, bus::Bus& bus, Worker& queries,
                  Worker& passwords) {
  gw_.commits.Attach(writer);
  gw_.reader = &reader;
  gw_.queries = &queries;
  gw_.passwords = &passwords;
  bus_ = &bus;
  auto on_tick = [](lws_sorted_usec_list_t* sul) {
    lws_container_of(sul, LwsSetup, tick)->gateway->OnTick();
  };
  lws_sul_schedule(context_, 0, &lws_->tick, on_tick, kTickUs);
  while (!done_) {
    if (lws_service(context_, 0) < 0) break;
  }
  lws_sul_cancel(&lws_->tick);
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

int Gateway::Trampoline(lws* wsi, int reason, void* user, void* in, std::size_t len) {
  const lws_protocols* protocol = lws_get_protocol(wsi);
  auto* gateway = protocol != nullptr ? static_cast<Gateway*>(protocol->user) : nullptr;
  if (gateway == nullptr) {
    return lws_callback_http_dummy(wsi, static_cast<lws_callback_reasons>(reason), user, in, len);
  }
  int result = -1;  // a callback that threw closes its connection
  RunAtThreadEdge(
      "gateway", [&] { result = gateway->OnCallback(wsi, reason, user, in, len); },
      gateway->failed_);
  return result;
}

int Gateway::OnCallback(lws* wsi, int reason_int, void* user, void* in, std::size_t len) {
  auto reason = static_cast<lws_callback_reasons>(reason_int);
  auto* ps = static_cast<PerSession*>(user);
  switch (reason) {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
      DrainInbox();
      if (stop_requested_ && !gw_.draining) {
        gw_.draining = true;
        drain_started_ms_ = gw_.NowMs();
        log::Info("draining", {{"sessions", std::to_string(gw_.sessions.size())},
                               {"writes_in_flight", std::to_string(gw_.commits.in_flight())}});
        OnTick();
      }
      return 0;
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
      char uri[256];
      if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) < 0) return 1;
      std::string_view path(uri);
      if (auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
      if (path != "/ws" && path != "/ws/") return 1;  // the protocol's one endpoint
      char version[16] = {0}, key[64] = {0};
      lws_hdr_copy(wsi, version, sizeof version, WSI_TOKEN_VERSION);
      lws_hdr_copy(wsi, key, sizeof key, WSI_TOKEN_KEY);
      if (auto refusal = RefuseUpgrade(version, key)) {
        HttpServer::WriteNow(wsi, *refusal);
        return 1;  // lws closes the connection
      }
      return gw_.draining ? 1 : 0;
    }
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
      return RefuseForeignOrigin(wsi);
    case LWS_CALLBACK_ESTABLISHED: {
      auto session =
          std::make_unique<Session>(gw_.sessions.NextId(), wsi, gw_.config.limits, gw_.NowMs());
      char peer[64] = {0};
      lws_get_peer_simple(wsi, peer, sizeof peer);
      session->peer = peer;
      ps->session = &gw_.sessions.Add(std::move(session));
      ++stats_.sessions_opened;
      return 0;
    }
    case LWS_CALLBACK_RECEIVE:
      if (ps == nullptr || ps->session == nullptr) return -1;
      return OnReceive(*ps->session, static_cast<const char*>(in), len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
      if (ps == nullptr || ps->session == nullptr) return -1;
      return out_.OnWritable(*ps->session);
    case LWS_CALLBACK_CLOSED:
      if (ps != nullptr && ps->session != nullptr) {
        gw_.channels.Remove(*ps->session);
        gw_.sessions.Remove(ps->session->id);
        ps->session = nullptr;
      }
      return 0;
    default:
      break;
  }
  return lws_callback_http_dummy(wsi, reason, user, in, len);
}

int Gateway::RefuseForeignOrigin(lws* wsi) {
  char origin[512] = {0};
  char host[512] = {0};
  lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN);
  lws_hdr_copy(wsi, host, sizeof host, WSI_TOKEN_HOST);
  if (OriginAllowed(origin, host, gw_.config.allowed_origins)) return 0;
  log::Info("origin refused", {{"origin", origin}, {"host", host}});
  // >0: the answer is written; lws completes the transaction.
  return lws_return_http_status(wsi, HTTP_STATUS_FORBIDDEN,
                                "this page's origin may not connect (--allowed-origins)") != 0
             ? -1
             : 1;
}

void Gateway::Route(const HttpResponder& respond, const HttpRequest& request) {
  if (request.path.rfind(kApiPrefix, 0) == 0) return api_.Handle(respond, request);
  if (web_) {
    if (auto page = web_->Serve(request)) return respond(std::move(*page));
  }
  respond(RouteHttp(request.method, request.path, gw_.Snapshot()));
}

void Gateway::OnTick() {
  std::int64_t now = gw_.NowMs();
  if (bus_ != nullptr) gw_.channels.PublishPresence(*bus_);
  accounts_.ForgetRefilledBudgets(now);
  gw_.sessions.ForEach([&](Session& s) {
    if (!s.authenticated() && !s.closing() && now >= s.hello_deadline_ms) {
      out_.Close(s, protocol::kCloseUnauthorized, "no hello within the time allowed");
    }
  });
  if (gw_.draining) {
    // Acks first: everything handed to the store is committed and answered, then clients go.
    bool timed_out = now - drain_started_ms_ > kDrainTimeoutMs;
    if (!closing_all_ && (gw_.commits.in_flight() == 0 || timed_out)) {
      closing_all_ = true;
      gw_.sessions.ForEach(
          [&](Session& s) { out_.Close(s, protocol::kCloseGoingAway, "node shutting down"); });
    }
    if (closing_all_ && (gw_.sessions.empty() || now - drain_started_ms_ > 2 * kDrainTimeoutMs)) {
      done_ = true;
      lws_cancel_service(context_);
      return;
    }
  }
  lws_sul_schedule(context_, 0, &lws_->tick, lws_->tick.cb, kTickUs);
}

// --- inbound ----------------------------------------------------------------------------------

int Gateway::OnReceive(Session& s, const char* data, std::size_t len) {
  if (s.closing()) return 0;  // drop what arrives on a connection on its way out
  if (s.rx.empty()) s.rx_binary = lws_frame_is_binary(s.wsi) != 0;
  std::size_t max = gw_.config.limits.max_frame_bytes;
  // Refusals close through the outbound path like every other close: the close frame is written
  // once, after what is already queued (acks of earlier sends), and lws then waits for the
  // client's close while this callback drops the rest of the frame. Returning -1 here instead
  // closed the socket with the client's bytes unread, and the reset lost the close frame (1006).
  if (s.rx.size() + len + lws_remaining_packet_payload(s.wsi) > max) {
    std::string().swap(s.rx);
    out_.Close(s, protocol::kCloseTooLarge, "frame larger than " + std::to_string(max) + " bytes");
    return 0;
  }
  s.rx.append(data, len);
  if (lws_remaining_packet_payload(s.wsi) != 0 || !lws_is_final_fragment(s.wsi)) return 0;

  std::string frame;
  frame.swap(s.rx);
  if (s.rx_binary) {
    gw_.SendError(s, nullptr,
                  {"bad_request", "binary frames are not supported: send JSON in text frames"});
    return 0;
  }
  if (!IsValidUtf8(frame)) {
    out_.Close(s, protocol::kCloseInvalidUtf8, "invalid UTF-8");
    return 0;
  }
  Dispatch(s, frame);
  return 0;
}

void Gateway::Dispatch(Session& s, std::string_view frame) {
  for (auto& parsed : protocol::ParseFrame(frame, gw_.config.limits)) {
    if (s.closing()) break;
    if (auto* bad = std::get_if<protocol::Invalid>(&parsed)) {
      gw_.SendError(s, bad->ref, {bad->code, bad->message});
      continue;
    }
    auto& request = std::get<protocol::Request>(parsed);
    const protocol::Ref& ref = request.ref;
    if (auto* hello = std::get_if<protocol::Hello>(&request.body)) {
      accounts_.Hello(s, ref, *hello);
      continue;
    }
    if (auto* reg = std::get_if<protocol::Register>(&request.body)) {
      accounts_.Register(s, ref, *reg);
      continue;
    }
    if (!s.authenticated()) {
      gw_.SendError(s, ref, {"unauthorized", "say hello first"});
      continue;
    }
    std::visit(
        [&](auto& body) {
          using T = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<T, protocol::Join>) {
            messages_.Join(s, ref, body);
          } else if constexpr (std::is_same_v<T, protocol::Leave>) {
            messages_.Leave(s, ref, body);
          } else if constexpr (std::is_same_v<T, protocol::Send>) {
            messages_.Send(s, ref, std::move(body));
          } else if constexpr (std::is_same_v<T, protocol::History>) {
            messages_.History(s, ref, body);
          } else if constexpr (std::is_same_v<T, protocol::PresenceQuery>) {
            messages_.Presence(s, ref, body);
          } else if constexpr (std::is_same_v<T, protocol::Ping>) {
            out_.Send(s, protocol::Pong(ref));
          } else if constexpr (std::is_same_v<T, protocol::RoomOp>) {
            rooms_.RoomOp(s, ref, body);
          } else if constexpr (std::is_same_v<T, protocol::MessageOp>) {
            rooms_.MessageOp(s, ref, body);
          }
        },
        request.body);
  }
  gw_.commits.Flush();
}

// --- results from the other threads -----------------------------------------------------------

void Gateway::DrainInbox() {
  for (auto& event : inbox_.TryPopAll()) {
    if (auto* committed = std::get_if<Committed>(&event)) {
      OnCommitted(std::move(*committed));
    } else if (auto* done = std::get_if<ReadDone>(&event)) {
      messages_.ReadDone(std::move(*done));
    } else if (auto* remote = std::get_if<RemotePresence>(&event)) {
      gw_.channels.SetRemotePresence(remote->node, std::move(remote->users));
    } else if (auto* task = std::get_if<Task>(&event)) {
      task->run();
    } else {
      gw_.cluster = std::move(std::get<bus::ClusterView>(event));
    }
  }
}

void Gateway::OnCommitted(Committed committed) {
  gw_.commits.Done(committed);
  if (!committed.status.ok()) {
    ++stats_.store_errors;
    for (const auto& job : committed.jobs) {
      if (job.done) {
        job.done(job, committed.status);
      } else if (Session* s = gw_.sessions.Find(job.session)) {
        gw_.SendError(*s, job.ref,
                      {"unavailable", "message not stored: " + committed.status.error().message});
        gw_.Answered(*s);
      }
    }
    return;
  }
  for (const auto& job : committed.jobs) {
    if (job.message.is_control()) {
      effects_.Apply(job);
      if (job.done) job.done(job, Ok{});
      continue;
    }
    ++(job.remote ? stats_.messages_replicated : stats_.messages_accepted);
    if (Session* s = gw_.sessions.Find(job.session)) {
      out_.Send(*s, protocol::Ack(job.ref, job.message));
      gw_.Answered(*s);
    }
    if (job.done) job.done(job, Ok{});
    gw_.channels.Deliver(job.message);
  }
}

}  // namespace chatctl::relay
