// The blocking WebSocket client (ws_client.h) on libwebsockets. All of it, the lws context and its
// callback included, runs on the thread that calls Connect/Send/Receive; nothing here is shared.
// lws_service() sleeps until the next event or timer, so a short repeating timer bounds each call.
#include "lib/client/ws_client.h"

#include <libwebsockets.h>

#include <cstring>
#include <vector>

#include "lib/protocol.h"

namespace chatctl {

using Clock = std::chrono::steady_clock;

namespace {

// How often lws_service() returns to us when nothing happens: the granularity of our timeouts.
constexpr lws_usec_t kTickUs = 20 * LWS_US_PER_MS;
// How long the destructor waits for the close handshake before it just drops the connection.
constexpr std::chrono::milliseconds kCloseGrace{500};
// A node that vanishes without a FIN (host gone, network cut) would leave `tail -f` waiting
// forever: ping after 20 s of silence, give up after 40 s without anything valid from the node.
constexpr std::uint16_t kIdlePingSecs = 20;
constexpr std::uint16_t kIdleHangupSecs = 40;

// The repeating timer. lws hands its callback only the list element, which comes first here so the
// callback can find its context.
struct Tick {
  lws_sorted_usec_list_t sul{};
  lws_context* context = nullptr;
};

}  // namespace

struct WsClient::State {
  Tick tick;
  lws_context* context = nullptr;
  lws* wsi = nullptr;
  lws_protocols protocols[2]{};
  lws_retry_bo_t idle_policy{};
  std::string host_header;

  bool established = false;
  bool closed = false;  // the connection is over (or never was)
  bool want_close = false;
  std::string connect_error;

  std::deque<std::string> outbound;  // text frames not yet handed to lws
  std::string fragments;             // a message still arriving
  std::deque<std::string> lines;     // JSON objects received, not yet taken by Receive

  int close_code = 0;
  std::string close_reason;

  // One lws_service() round. Waiting, it returns at the latest after one tick; not waiting (a
  // negative timeout to lws), it only handles what is ready now.
  void ServiceOnce(bool wait = true) { lws_service(context, wait ? 0 : -1); }

  void OnMessageComplete() {
    std::string_view rest = fragments;
    while (!rest.empty()) {
      auto nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty()) lines.emplace_back(line);
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
    fragments.clear();
  }
};

namespace {

void OnTick(lws_sorted_usec_list_t* sul) {
  auto* tick = reinterpret_cast<Tick*>(sul);
  lws_sul_schedule(tick->context, 0, &tick->sul, OnTick, kTickUs);
}

int Callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
  lws_context* context = lws_get_context(wsi);
  auto* state = context ? static_cast<WsClient::State*>(lws_context_user(context)) : nullptr;
  if (state == nullptr) return lws_callback_http_dummy(wsi, reason, user, in, len);

  switch (reason) {
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
      state->connect_error = in != nullptr && len > 0
                                 ? std::string(static_cast<const char*>(in), len)
                             : in != nullptr ? std::string(static_cast<const char*>(in))
                                             : std::string("connection failed");
      state->closed = true;
      state->wsi = nullptr;
      return 0;

    case LWS_CALLBACK_CLIENT_ESTABLISHED:
      state->established = true;
      if (!state->outbound.empty()) lws_callback_on_writable(wsi);
      return 0;

    case LWS_CALLBACK_CLIENT_RECEIVE:
      // A node sends text only; a binary frame would be a node bug, and is read as text all the
      // same rather than dropped silently.
      state->fragments.append(static_cast<const char*>(in), len);
      if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
        state->OnMessageComplete();
      }
      return 0;

    case LWS_CALLBACK_CLIENT_WRITEABLE: {
      if (state->want_close) {
        lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, nullptr, 0);
        return -1;
      }
      if (state->outbound.empty()) return 0;
      std::string text = std::move(state->outbound.front());
      state->outbound.pop_front();
      std::vector<unsigned char> buffer(LWS_PRE + text.size());
      std::memcpy(buffer.data() + LWS_PRE, text.data(), text.size());
      // lws keeps whatever the socket did not take and sends it before the next WRITEABLE.
      int written = lws_write(wsi, buffer.data() + LWS_PRE, text.size(), LWS_WRITE_TEXT);
      if (written < static_cast<int>(text.size())) return -1;
      if (!state->outbound.empty()) lws_callback_on_writable(wsi);
      return 0;
    }

    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE: {
      // The close payload: a 2-byte big-endian code, then the reason in UTF-8.
      const auto* bytes = static_cast<const unsigned char*>(in);
      if (bytes != nullptr && len >= 2) {
        state->close_code = (bytes[0] << 8) | bytes[1];
        state->close_reason.assign(reinterpret_cast<const char*>(bytes) + 2, len - 2);
      }
      return 0;  // lws echoes the close
    }

    case LWS_CALLBACK_CLIENT_CLOSED:
      state->closed = true;
      state->wsi = nullptr;
      return 0;

    case LWS_CALLBACK_WSI_DESTROY:
      if (wsi == state->wsi) {
        state->closed = true;
        state->wsi = nullptr;
      }
      return 0;

    default:
      return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

}  // namespace

Result<std::unique_ptr<WsClient>> WsClient::Connect(const WsUrl& url,
                                                    std::chrono::milliseconds timeout) {
  // lws logs to stderr in its own format; the CLI reports failures itself.
  lws_set_log_level(0, nullptr);

  auto state = std::make_unique<State>();
  state->protocols[0].name = protocol::kSubprotocol;
  state->protocols[0].callback = Callback;

  lws_context_creation_info info{};
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = state->protocols;
  info.user = state.get();
  info.gid = -1;
  info.uid = -1;
  // Without this lws sizes its fd table by the process fd limit, which can be a million.
  info.fd_limit_per_thread = 16;
  auto timeout_secs = static_cast<unsigned>((timeout.count() + 999) / 1000);
  info.connect_timeout_secs = timeout_secs > 0 ? timeout_secs : 1;
  info.timeout_secs = info.connect_timeout_secs;
  if (url.tls) info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;

  state->context = lws_create_context(&info);
  if (state->context == nullptr) {
    return Error{"internal", "cannot create a libwebsockets context"};
  }
  std::unique_ptr<WsClient> client(new WsClient(std::move(state)));
  State& s = *client->state_;
  s.tick.context = s.context;
  lws_sul_schedule(s.context, 0, &s.tick.sul, OnTick, kTickUs);

  s.host_header = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  s.host_header += ":" + std::to_string(url.port);
  lws_client_connect_info connect{};
  connect.context = s.context;
  connect.address = url.host.c_str();
  connect.port = url.port;
  connect.path = url.path.c_str();
  connect.host = s.host_header.c_str();
  connect.origin = s.host_header.c_str();
  connect.protocol = protocol::kSubprotocol;
  connect.pwsi = &s.wsi;
  s.idle_policy.secs_since_valid_ping = kIdlePingSecs;
  s.idle_policy.secs_since_valid_hangup = kIdleHangupSecs;
  connect.retry_and_idle_policy = &s.idle_policy;
  if (url.tls) {
    connect.ssl_connection = LCCSCF_USE_SSL;
    // Upgrade over HTTP/1.1; lws could otherwise pick h2 by ALPN.
    connect.alpn = "http/1.1";
  }

  const std::string where = url.ToString();
  if (lws_client_connect_via_info(&connect) == nullptr && s.connect_error.empty()) {
    s.connect_error = "connection failed";
    s.closed = true;
  }
  auto deadline = Clock::now() + timeout;
  while (!s.established && !s.closed && Clock::now() < deadline) s.ServiceOnce();
  if (s.established) return client;

  std::string why = s.connect_error;
  if (why.empty()) why = s.closed ? "connection closed" : "timed out";
  // lws says "HS: ..." when something answered but not with a WebSocket upgrade.
  if (why.rfind("HS:", 0) == 0) {
    why =
        "the WebSocket upgrade failed (" + why.substr(4) + "); is it a chatctl node at that path?";
  }
  return Error{"unavailable", "cannot connect to " + where + ": " + why};
}

WsClient::WsClient(std::unique_ptr<State> state) : state_(std::move(state)) {}

WsClient::~WsClient() {
  State& s = *state_;
  if (s.wsi != nullptr && s.established && !s.closed) {
    // Say goodbye properly (close 1000) so the node logs a clean close, but do not wait long.
    s.want_close = true;
    lws_callback_on_writable(s.wsi);
    auto deadline = Clock::now() + kCloseGrace;
    while (!s.closed && Clock::now() < deadline) s.ServiceOnce();
  }
  lws_sul_cancel(&s.tick.sul);
  // Destroying the context may still call back into the State, which outlives it.
  lws_context_destroy(s.context);
  s.context = nullptr;
}

Status WsClient::Send(const std::string& text, std::chrono::milliseconds timeout) {
  State& s = *state_;
  if (s.closed || s.wsi == nullptr) return Error{"unavailable", "connection closed"};
  s.outbound.push_back(text);
  lws_callback_on_writable(s.wsi);
  auto deadline = Clock::now() + timeout;
  while (!s.outbound.empty() && !s.closed && Clock::now() < deadline) s.ServiceOnce();
  if (s.outbound.empty()) return Ok{};
  if (s.closed) return Error{"unavailable", "connection closed"};
  return Error{"unavailable", "timed out sending to the node"};
}

std::optional<std::string> WsClient::Receive(std::chrono::milliseconds timeout) {
  State& s = *state_;
  // Only read from the socket when the caller has taken everything: a slow reader then pushes
  // back through TCP instead of growing this queue.
  if (s.lines.empty() && !s.closed) {
    if (timeout.count() <= 0) {
      s.ServiceOnce(false);
    } else {
      auto deadline = Clock::now() + timeout;
      do {
        s.ServiceOnce();
      } while (s.lines.empty() && !s.closed && Clock::now() < deadline);
    }
  }
  if (s.lines.empty()) return std::nullopt;
  std::string line = std::move(s.lines.front());
  s.lines.pop_front();
  return line;
}

bool WsClient::closed() const { return state_->closed; }
int WsClient::close_code() const { return state_->close_code; }
const std::string& WsClient::close_reason() const { return state_->close_reason; }

}  // namespace chatctl
