// The load generator's connections on one lws context (load_worker.h). Everything here runs on the
// worker's thread, except Start/Wake/Join/AckedOn/first_error, which the coordinator calls, and
// the worker's ticker thread, which only calls Wake once a millisecond.
#include "loadgen/load_worker.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <deque>

#include "loadgen/ws_framing.h"

namespace chatctl::loadgen {
namespace {

using Clock = std::chrono::steady_clock;

// How often the worker looks at the phase, rates and reconnections.
constexpr std::chrono::microseconds kTick{1000};
constexpr std::size_t kMaxConnecting = 128;
constexpr std::chrono::milliseconds kReconnectDelay{250};
constexpr int kSetupAttempts = 5;
// Publishes per frame at most, whatever the window: bounds the frame, and the burst.
constexpr std::uint64_t kMaxBatch = 1000;
// Bytes per frame of publishes, at most: half of a node's default inbound limit (64 KiB, else the
// node closes with 1009), so that a wide window with big payloads still goes as several frames.
constexpr std::size_t kMaxBatchBytes = 32 * 1024;

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// Single writer: a plain load and store, no read-modify-write on a shared line.
void Bump(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

void FillPayload(std::string& payload, bool measured, std::int64_t now_ns, std::size_t size) {
  payload.assign(std::max(size, kPayloadHeader), 'x');
  payload[0] = measured ? 'm' : 'w';
  auto stamp = static_cast<std::uint64_t>(now_ns);
  for (std::size_t i = 19; i > 0; --i) {
    payload[i] = static_cast<char>('0' + stamp % 10);
    stamp /= 10;
  }
  payload[20] = ' ';
}

}  // namespace

struct LoadWorker::Connection final : ConversationEvents {
  LoadWorker& worker;
  ConnectionSpec spec;
  std::string channel;
  std::unique_ptr<Conversation> talk;
  lws* wsi = nullptr;
  std::string host_header;

  enum class State { kIdle, kConnecting, kGreeting, kSubscribing, kReady } state = State::kIdle;
  bool counted_ready = false;
  bool counted_done = false;
  bool failed = false;    // the conversation cannot go on: close from the callback
  bool given_up = false;  // never set up after kSetupAttempts tries
  int attempts = 0;
  Clock::time_point reconnect_at{};

  // Plain ws:// goes over a raw lws connection with the framing done here (ws_framing.h); wss://
  // keeps lws's WebSocket client.
  bool raw = false;
  std::unique_ptr<WsClientReader> reader;
  std::string raw_out;  // unframed bytes (the upgrade request, pongs): written before anything

  std::string control_out;  // greeting, subscribe, pongs: written before any publish
  // When the bytes being parsed were read: the arrival time of every delivery in them (one clock
  // read per read, not per delivery).
  std::int64_t received_ns = 0;
  std::string inbound;  // a message still arriving in fragments
  std::vector<unsigned char> frame;
  std::string batch, payload;

  // Publishing. Refs carry the phase in their lowest bit (1: measured) and start at 2, so that
  // ref 0 stays the join's.
  std::uint64_t next_seq = 1;
  std::uint64_t in_flight = 0;
  std::uint64_t quota = 0;            // measured publishes left, when counting messages
  std::uint64_t sent_this_phase = 0;  // for the rate
  std::int64_t phase_start_ns = 0;
  // Without per-publish acks: how many publishes (measured, warm-up) each flush marker answers.
  std::deque<std::pair<std::uint64_t, std::uint64_t>> flushes;

  Connection(LoadWorker& w, ConnectionSpec s)
      : worker(w),
        spec(std::move(s)),
        channel(w.plan_.ChannelName(spec.channel)),
        quota(spec.quota) {}

  bool Measuring() const { return worker.control_.phase.load() == Phase::kMeasure; }

  void MarkReady() {
    state = State::kReady;
    attempts = 0;
    if (!counted_ready) {
      counted_ready = true;
      Bump(worker.counters_.ready);
    }
  }

  // How many publishes may go now: the window, the quota, the rate.
  std::uint64_t Allowance(Phase phase, std::int64_t now_ns) const {
    if (!spec.publisher || state != State::kReady || wsi == nullptr) return 0;
    if (phase != Phase::kWarmup && phase != Phase::kMeasure) return 0;
    const LoadPlan& plan = worker.plan_;
    auto window = static_cast<std::uint64_t>(std::max(plan.window, 1));
    std::uint64_t n = in_flight >= window ? 0 : window - in_flight;
    if (phase == Phase::kMeasure && plan.messages > 0) n = std::min(n, quota);
    if (plan.rate > 0) {
      double per_publisher = plan.rate / std::max(plan.publishers, 1);
      double elapsed = static_cast<double>(now_ns - phase_start_ns) / 1e9;
      auto due = static_cast<std::uint64_t>(std::floor(elapsed * per_publisher)) + 1;
      n = std::min(n, due > sent_this_phase ? due - sent_this_phase : 0);
    }
    return std::min(n, kMaxBatch);
  }

  void RequestWriteIfDue(Phase phase, std::int64_t now_ns) {
    if (wsi != nullptr && (!control_out.empty() || Allowance(phase, now_ns) > 0)) {
      lws_callback_on_writable(wsi);
    }
  }

  void MaybeDone() {
    if (counted_done || !spec.publisher || worker.plan_.messages == 0) return;
    if (quota == 0 && in_flight == 0 && Measuring()) {
      counted_done = true;
      Bump(worker.counters_.publishers_done);
    }
  }

  // One lws_write per writable callback: control bytes first, else a batch of publishes.
  int OnWritable() {
    if (failed) return -1;
    if (!raw_out.empty()) {
      std::string bytes;
      bytes.swap(raw_out);
      int rc = WriteRaw(bytes);
      lws_callback_on_writable(wsi);  // what else is due goes in the next callback
      return rc;
    }
    if (raw && state == State::kConnecting) return 0;  // the upgrade is not answered yet
    Phase phase = worker.control_.phase.load();
    if (!control_out.empty()) {
      int rc = Write(control_out);
      control_out.clear();
      RequestWriteIfDue(phase, NowNs());
      return rc;
    }
    std::int64_t now_ns = NowNs();
    std::uint64_t n = Allowance(phase, now_ns);
    if (n == 0) return 0;
    bool measured = phase == Phase::kMeasure;
    batch.clear();
    FillPayload(payload, measured, now_ns, worker.plan_.size);
    std::uint64_t taken = 0;
    while (taken < n && (taken == 0 || batch.size() + batch.size() / taken <= kMaxBatchBytes)) {
      talk->AppendPublish(batch, channel, payload, (next_seq++ << 1) | (measured ? 1 : 0));
      ++taken;
    }
    n = taken;
    if (!worker.dialect_.acks_each_publish()) {
      talk->AppendFlush(batch);
      flushes.emplace_back(measured ? n : 0, measured ? 0 : n);
    }
    in_flight += n;
    sent_this_phase += n;
    if (measured) {
      if (worker.plan_.messages > 0) quota -= n;
      Bump(worker.counters_.published, n);
    }
    int rc = Write(batch);
    RequestWriteIfDue(phase, now_ns);
    return rc;
  }

  int WriteRaw(const std::string& bytes) {
    frame.resize(LWS_PRE + bytes.size());
    std::memcpy(frame.data() + LWS_PRE, bytes.data(), bytes.size());
    int written = lws_write(wsi, frame.data() + LWS_PRE, bytes.size(), LWS_WRITE_RAW);
    return written < static_cast<int>(bytes.size()) ? -1 : 0;
  }

  int Write(const std::string& bytes) {
    if (raw) {
      std::string framed;
      AppendClientFrame(framed, worker.dialect_.binary_frames() ? 2 : 1, bytes);
      return WriteRaw(framed);
    }
    frame.resize(LWS_PRE + bytes.size());
    std::memcpy(frame.data() + LWS_PRE, bytes.data(), bytes.size());
    auto mode = worker.dialect_.binary_frames() ? LWS_WRITE_BINARY : LWS_WRITE_TEXT;
    // lws keeps what the socket did not take and sends it before the next writable callback.
    int written = lws_write(wsi, frame.data() + LWS_PRE, bytes.size(), mode);
    return written < static_cast<int>(bytes.size()) ? -1 : 0;
  }

  void Completed(bool measured, bool ok, std::uint64_t count) {
    in_flight -= std::min(in_flight, count);
    if (measured) {
      WorkerCounters& c = worker.counters_;
      Bump(ok ? c.acked : c.refused, count);
      if (ok) Bump(worker.acked_per_channel_[static_cast<std::size_t>(spec.channel)], count);
      c.last_ack_ns.store(NowNs(), std::memory_order_relaxed);
    }
    MaybeDone();
    if (wsi != nullptr) lws_callback_on_writable(wsi);
  }

  // ConversationEvents
  void OnGreeted() override {
    if (spec.publisher) return MarkReady();
    state = State::kSubscribing;
    control_out += talk->Subscribe(channel);
    if (wsi != nullptr) lws_callback_on_writable(wsi);
  }
  void OnSubscribed() override { MarkReady(); }
  void OnPublishDone(std::uint64_t ref, bool ok) override {
    if (!ok) Bump(worker.counters_.errors);
    Completed((ref & 1) != 0, ok, 1);
  }
  void OnFlushed() override {
    if (flushes.empty()) return;
    auto [measured, warm] = flushes.front();
    flushes.pop_front();
    if (warm > 0) Completed(false, true, warm);
    if (measured > 0) Completed(true, true, measured);
  }
  void OnDelivery(std::string_view text) override {
    if (text.size() < kPayloadHeader || text[0] != 'm') return;  // warm-up traffic
    std::int64_t sent_ns = 0;
    std::from_chars(text.data() + 1, text.data() + 20, sent_ns);
    std::int64_t now_ns = received_ns;
    worker.latency_by_url_[spec.url].Record(
        static_cast<std::uint64_t>(std::max<std::int64_t>(now_ns - sent_ns, 0)));
    WorkerCounters& c = worker.counters_;
    Bump(c.delivered);
    Bump(c.delivered_bytes, text.size());
    c.last_delivery_ns.store(now_ns, std::memory_order_relaxed);
  }
  void OnFailure(std::string_view why) override {
    worker.NoteError(why);
    Bump(worker.counters_.errors);
    failed = true;
  }
  void OnReply(std::string bytes) override {
    control_out += bytes;
    if (wsi != nullptr) lws_callback_on_writable(wsi);
  }

  // The WebSocket is open: say hello.
  void Established() {
    --worker.connecting_;
    state = State::kGreeting;
    control_out = talk->Greeting(spec.user, worker.plan_.token);
    lws_callback_on_writable(wsi);
  }

  // The connection is gone: publishes without an answer are counted, and it comes back later.
  void Dropped(bool was_established) {
    wsi = nullptr;
    if (state == State::kConnecting) --worker.connecting_;
    Phase phase = worker.control_.phase.load();
    if (in_flight > 0 && phase >= Phase::kMeasure) Bump(worker.counters_.lost_in_flight, in_flight);
    in_flight = 0;
    flushes.clear();
    state = State::kIdle;
    if (phase == Phase::kStop) return;
    if (!counted_ready && ++attempts >= kSetupAttempts) {
      Bump(worker.counters_.setup_failures);
      given_up = true;
      return;
    }
    if (counted_ready && was_established) Bump(worker.counters_.reconnects);
    reconnect_at = Clock::now() + kReconnectDelay;
  }
};

LoadWorker::LoadWorker(const LoadPlan& plan, const Dialect& dialect, LoadControl& control,
                       std::vector<ConnectionSpec> connections)
    : plan_(plan),
      dialect_(dialect),
      control_(control),
      acked_per_channel_(static_cast<std::size_t>(std::max(plan.channels, 1))),
      latency_by_url_(plan.urls.size()) {
  for (auto& spec : connections) {
    connections_.push_back(std::make_unique<Connection>(*this, std::move(spec)));
  }
}

LoadWorker::~LoadWorker() {
  if (thread_.joinable()) {
    control_.phase.store(Phase::kStop);
    Join();
  }
}

void LoadWorker::Start() {
  thread_ = std::thread([this] { Run(); });
}

void LoadWorker::Wake() {
  // The coordinator's thread: the worker may be creating or destroying its context meanwhile.
  std::lock_guard lock(context_mu_);
  if (context_ != nullptr) lws_cancel_service(context_);
}

void LoadWorker::Join() {
  Wake();
  if (thread_.joinable()) thread_.join();
}

std::uint64_t LoadWorker::AckedOn(int channel) const {
  return acked_per_channel_[static_cast<std::size_t>(channel)].load();
}

std::string LoadWorker::first_error() const {
  std::lock_guard lock(error_mutex_);
  return first_error_;
}

void LoadWorker::NoteError(std::string_view what) {
  std::lock_guard lock(error_mutex_);
  if (first_error_.empty()) first_error_ = std::string(what.substr(0, 300));
}

void LoadWorker::Run() {
  lws_set_log_level(0, nullptr);  // failures are counted and reported by the coordinator
  protocols_[0].name = "chatctl-bench";
  protocols_[0].callback = Callback;
  protocols_[0].rx_buffer_size = 65536;

  lws_context_creation_info info{};
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = protocols_;
  info.user = this;
  info.gid = -1;
  info.uid = -1;
  info.count_threads = 1;
  info.pt_serv_buf_size = 65536;
  info.fd_limit_per_thread = static_cast<unsigned>(connections_.size() + 64);
  for (const auto& url : plan_.urls) {
    if (url.tls) info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
  }
  lws_context* context = lws_create_context(&info);
  if (context == nullptr) {
    NoteError("cannot create a libwebsockets context");
    Bump(counters_.setup_failures, connections_.size());
    return;
  }
  {
    std::lock_guard lock(context_mu_);
    context_ = context;
  }
  // The tick comes from a thread of its own through lws_cancel_service, not from an lws timer:
  // lws rounds a timer's wait down to whole milliseconds for poll(), so a timer due within the
  // next millisecond makes the loop spin with a zero timeout, and a 1 ms tick would spin always.
  ticking_.store(true);
  std::thread ticker([this] {
    auto next = Clock::now();
    while (ticking_.load()) {
      next = std::max(next + kTick, Clock::now());  // late after a stall: no burst of catch-up
      std::this_thread::sleep_until(next);
      Wake();
    }
  });
  OnTick();
  while (control_.phase.load() != Phase::kStop) {
    if (lws_service(context, 0) < 0) break;
  }
  ticking_.store(false);
  ticker.join();
  {
    std::lock_guard lock(context_mu_);  // no Wake() may be inside lws_cancel_service now
    context_ = nullptr;
  }
  lws_context_destroy(context);  // drops every connection; the callbacks still see them go
}

void LoadWorker::OnTick() {
  Phase phase = control_.phase.load();
  std::int64_t now_ns = NowNs();
  if (phase != seen_phase_) {
    if (phase == Phase::kWarmup || phase == Phase::kMeasure) {
      std::int64_t start = phase == Phase::kMeasure ? control_.measure_start_ns.load() : now_ns;
      for (auto& c : connections_) {
        c->phase_start_ns = start;
        c->sent_this_phase = 0;
      }
    }
    seen_phase_ = phase;
  }
  auto now = Clock::now();
  for (auto& c : connections_) {
    if (c->state == Connection::State::kIdle && !c->given_up && phase != Phase::kStop &&
        now >= c->reconnect_at && connecting_ < kMaxConnecting) {
      Connect(*c);
    }
    if (c->spec.publisher) {
      c->MaybeDone();
      c->RequestWriteIfDue(phase, now_ns);
    }
  }
}

void LoadWorker::Connect(Connection& c) {
  const WsUrl& url = plan_.urls[c.spec.url];
  c.talk = dialect_.NewConversation();
  c.control_out.clear();
  c.inbound.clear();
  c.failed = false;
  c.state = Connection::State::kConnecting;
  ++connecting_;
  c.host_header = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  c.host_header += ":" + std::to_string(url.port);

  c.raw = !url.tls;
  c.raw_out.clear();
  if (c.raw) {
    std::string key = NewWebSocketKey();
    c.reader = std::make_unique<WsClientReader>(key);
    c.raw_out = UpgradeRequest(c.host_header, url.path, dialect_.subprotocol(), key);
  }

  lws_client_connect_info connect{};
  connect.context = context_;
  connect.address = url.host.c_str();
  connect.port = url.port;
  connect.path = url.path.c_str();
  connect.host = c.host_header.c_str();
  connect.origin = c.host_header.c_str();
  connect.protocol = dialect_.subprotocol();
  connect.local_protocol_name = protocols_[0].name;
  connect.userdata = &c;
  connect.pwsi = &c.wsi;
  if (c.raw) connect.method = "RAW";
  if (url.tls) {
    connect.ssl_connection = LCCSCF_USE_SSL;
    connect.alpn = "http/1.1";
  }
  if (lws_client_connect_via_info(&connect) == nullptr &&
      c.state == Connection::State::kConnecting) {
    NoteError("cannot connect to " + url.ToString());
    c.Dropped(false);
  }
}

int LoadWorker::Callback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                         std::size_t len) {
  auto* c = static_cast<Connection*>(user);
  switch (reason) {
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
      if (c == nullptr) return 0;
      c->worker.NoteError(in != nullptr ? std::string("connection failed: ") +
                                              std::string(static_cast<const char*>(in), len)
                                        : std::string("connection failed"));
      if (c->wsi == wsi || c->state == Connection::State::kConnecting) c->Dropped(false);
      return 0;

    case LWS_CALLBACK_CLIENT_ESTABLISHED:
      if (c == nullptr) return -1;
      c->Established();
      return 0;

    case LWS_CALLBACK_RAW_CONNECTED:
      if (c == nullptr) return -1;
      lws_callback_on_writable(wsi);  // the upgrade request, waiting in raw_out
      return 0;

    case LWS_CALLBACK_RAW_RX:
      if (c == nullptr || c->reader == nullptr) return -1;
      c->received_ns = NowNs();
      c->reader->Add(static_cast<const char*>(in), len);
      for (;;) {
        switch (c->reader->Next()) {
          case WsClientReader::Event::kNeedMore:
            return c->failed ? -1 : 0;
          case WsClientReader::Event::kOpen:
            c->Established();
            break;
          case WsClientReader::Event::kMessage:
            c->talk->Feed(c->reader->message(), *c);
            if (c->failed) return -1;
            break;
          case WsClientReader::Event::kPing:
            AppendClientFrame(c->raw_out, 0xA, c->reader->message());
            lws_callback_on_writable(wsi);
            break;
          case WsClientReader::Event::kClose:
            if (c->worker.control_.phase.load() != Phase::kStop) {
              c->worker.NoteError("closed by the server with " +
                                  std::to_string(c->reader->close_code()));
            }
            return -1;
          case WsClientReader::Event::kError:
            c->worker.NoteError(c->reader->error());
            return -1;
        }
      }

    case LWS_CALLBACK_RAW_WRITEABLE:
      if (c == nullptr) return -1;
      return c->OnWritable();

    case LWS_CALLBACK_RAW_CLOSE:
      if (c != nullptr && c->wsi == wsi) c->Dropped(c->state != Connection::State::kConnecting);
      return 0;

    case LWS_CALLBACK_CLIENT_RECEIVE: {
      if (c == nullptr) return -1;
      c->received_ns = NowNs();
      const char* bytes = static_cast<const char*>(in);
      bool whole = lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0;
      if (whole && c->inbound.empty()) {
        c->talk->Feed(std::string_view(bytes, len), *c);  // no copy for the common case
      } else {
        c->inbound.append(bytes, len);
        if (whole) {
          c->talk->Feed(c->inbound, *c);
          c->inbound.clear();
        }
      }
      return c->failed ? -1 : 0;
    }

    case LWS_CALLBACK_CLIENT_WRITEABLE:
      if (c == nullptr) return -1;
      return c->OnWritable();

    case LWS_CALLBACK_CLIENT_CLOSED:
      if (c != nullptr && c->wsi == wsi) c->Dropped(true);
      return 0;

    case LWS_CALLBACK_WSI_DESTROY:
      if (c != nullptr && c->wsi == wsi) c->Dropped(c->state != Connection::State::kConnecting);
      return 0;

    case LWS_CALLBACK_EVENT_WAIT_CANCELLED: {  // Wake(): the ticker, or a new phase
      auto* worker = static_cast<LoadWorker*>(lws_context_user(lws_get_context(wsi)));
      if (worker != nullptr) worker->OnTick();
      return 0;
    }

    default:
      return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

}  // namespace chatctl::loadgen
