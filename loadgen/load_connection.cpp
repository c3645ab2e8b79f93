// One connection of the load generator (load_connection.h): publishing by window, quota and rate,
// the framing for ws://, the dialect's events, drops and reconnection.
#include "loadgen/load_connection.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace chatctl::loadgen {
namespace {

constexpr std::chrono::milliseconds kReconnectDelay{250};
constexpr int kSetupAttempts = 5;
// Publishes per frame at most, whatever the window: bounds the frame, and the burst.
constexpr std::uint64_t kMaxBatch = 1000;
// Bytes per frame of publishes, at most: half of a node's default inbound limit (64 KiB, else the
// node closes with 1009), so that a wide window with big payloads still goes as several frames.
constexpr std::size_t kMaxBatchBytes = 32 * 1024;

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

LoadConnection::LoadConnection(WorkerShared& shared, ConnectionSpec spec)
    : shared_(shared),
      spec_(std::move(spec)),
      channel_(shared.plan.ChannelName(spec_.channel)),
      quota_(spec_.quota) {}

bool LoadConnection::WantsToConnect(Clock::time_point now) const {
  return state_ == State::kIdle && !given_up_ && now >= reconnect_at_;
}

void LoadConnection::Connect(lws_context* context, const char* local_protocol) {
  const WsUrl& url = shared_.plan.urls[spec_.url];
  talk_ = shared_.dialect.NewConversation();
  control_out_.clear();
  inbound_.clear();
  failed_ = false;
  state_ = State::kConnecting;
  ++shared_.connecting;
  host_header_ = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  host_header_ += ":" + std::to_string(url.port);

  raw_ = !url.tls;
  raw_out_.clear();
  if (raw_) {
    std::string key = NewWebSocketKey();
    reader_ = std::make_unique<WsClientReader>(key);
    raw_out_ = UpgradeRequest(host_header_, url.path, shared_.dialect.subprotocol(), key);
  }

  lws_client_connect_info connect{};
  connect.context = context;
  connect.address = url.host.c_str();
  connect.port = url.port;
  connect.path = url.path.c_str();
  connect.host = host_header_.c_str();
  connect.origin = host_header_.c_str();
  connect.protocol = shared_.dialect.subprotocol();
  connect.local_protocol_name = local_protocol;
  connect.userdata = this;
  connect.pwsi = &wsi_;
  if (raw_) connect.method = "RAW";
  if (url.tls) {
    connect.ssl_connection = LCCSCF_USE_SSL;
    connect.alpn = "http/1.1";
  }
  if (lws_client_connect_via_info(&connect) == nullptr && state_ == State::kConnecting) {
    shared_.NoteError("cannot connect to " + url.ToString());
    Dropped(false);
  }
}

void LoadConnection::StartPhase(std::int64_t start_ns) {
  phase_start_ns_ = start_ns;
  sent_this_phase_ = 0;
}

void LoadConnection::OnTick(Phase phase, std::int64_t now_ns) {
  if (!spec_.publisher) return;
  MaybeDone();
  RequestWriteIfDue(phase, now_ns);
}

bool LoadConnection::Measuring() const { return shared_.control.phase.load() == Phase::kMeasure; }

void LoadConnection::MarkReady() {
  state_ = State::kReady;
  attempts_ = 0;
  if (!counted_ready_) {
    counted_ready_ = true;
    Bump(shared_.counters.ready);
  }
}

// How many publishes may go now: the window, the quota, the rate.
std::uint64_t LoadConnection::Allowance(Phase phase, std::int64_t now_ns) const {
  if (!spec_.publisher || state_ != State::kReady || wsi_ == nullptr) return 0;
  if (phase != Phase::kWarmup && phase != Phase::kMeasure) return 0;
  const LoadPlan& plan = shared_.plan;
  auto window = static_cast<std::uint64_t>(std::max(plan.window, 1));
  std::uint64_t n = in_flight_ >= window ? 0 : window - in_flight_;
  if (phase == Phase::kMeasure && plan.messages > 0) n = std::min(n, quota_);
  if (plan.rate > 0) {
    double per_publisher = plan.rate / std::max(plan.publishers, 1);
    double elapsed = static_cast<double>(now_ns - phase_start_ns_) / 1e9;
    auto due = static_cast<std::uint64_t>(std::floor(elapsed * per_publisher)) + 1;
    n = std::min(n, due > sent_this_phase_ ? due - sent_this_phase_ : 0);
  }
  return std::min(n, kMaxBatch);
}

void LoadConnection::RequestWriteIfDue(Phase phase, std::int64_t now_ns) {
  if (wsi_ != nullptr && (!control_out_.empty() || Allowance(phase, now_ns) > 0)) {
    lws_callback_on_writable(wsi_);
  }
}

void LoadConnection::MaybeDone() {
  if (counted_done_ || !spec_.publisher || shared_.plan.messages == 0) return;
  if (quota_ == 0 && in_flight_ == 0 && Measuring()) {
    counted_done_ = true;
    Bump(shared_.counters.publishers_done);
  }
}

int LoadConnection::OnWritable() {
  if (failed_) return -1;
  if (!raw_out_.empty()) {
    std::string bytes;
    bytes.swap(raw_out_);
    int rc = WriteRaw(bytes);
    lws_callback_on_writable(wsi_);  // what else is due goes in the next callback
    return rc;
  }
  if (raw_ && state_ == State::kConnecting) return 0;  // the upgrade is not answered yet
  Phase phase = shared_.control.phase.load();
  if (!control_out_.empty()) {
    int rc = Write(control_out_);
    control_out_.clear();
    RequestWriteIfDue(phase, NowNs());
    return rc;
  }
  std::int64_t now_ns = NowNs();
  std::uint64_t n = Allowance(phase, now_ns);
  if (n == 0) return 0;
  bool measured = phase == Phase::kMeasure;
  batch_.clear();
  FillPayload(payload_, measured, now_ns, shared_.plan.size);
  std::uint64_t taken = 0;
  while (taken < n && (taken == 0 || batch_.size() + batch_.size() / taken <= kMaxBatchBytes)) {
    talk_->AppendPublish(batch_, channel_, payload_, (next_seq_++ << 1) | (measured ? 1 : 0));
    ++taken;
  }
  n = taken;
  if (!shared_.dialect.acks_each_publish()) {
    talk_->AppendFlush(batch_);
    flushes_.emplace_back(measured ? n : 0, measured ? 0 : n);
  }
  in_flight_ += n;
  sent_this_phase_ += n;
  if (measured) {
    if (shared_.plan.messages > 0) quota_ -= n;
    Bump(shared_.counters.published, n);
  }
  int rc = Write(batch_);
  RequestWriteIfDue(phase, now_ns);
  return rc;
}

int LoadConnection::WriteRaw(const std::string& bytes) {
  frame_.resize(LWS_PRE + bytes.size());
  std::memcpy(frame_.data() + LWS_PRE, bytes.data(), bytes.size());
  int written = lws_write(wsi_, frame_.data() + LWS_PRE, bytes.size(), LWS_WRITE_RAW);
  return written < static_cast<int>(bytes.size()) ? -1 : 0;
}

int LoadConnection::Write(const std::string& bytes) {
  if (raw_) {
    std::string framed;
    AppendClientFrame(framed, shared_.dialect.binary_frames() ? 2 : 1, bytes);
    return WriteRaw(framed);
  }
  frame_.resize(LWS_PRE + bytes.size());
  std::memcpy(frame_.data() + LWS_PRE, bytes.data(), bytes.size());
  auto mode = shared_.dialect.binary_frames() ? LWS_WRITE_BINARY : LWS_WRITE_TEXT;
  // lws keeps what the socket did not take and sends it before the next writable callback.
  int written = lws_write(wsi_, frame_.data() + LWS_PRE, bytes.size(), mode);
  return written < static_cast<int>(bytes.size()) ? -1 : 0;
}

void LoadConnection::Completed(bool measured, bool ok, std::uint64_t count) {
  in_flight_ -= std::min(in_flight_, count);
  if (measured) {
    WorkerCounters& c = shared_.counters;
    Bump(ok ? c.acked : c.refused, count);
    if (ok) Bump(shared_.acked_per_channel[static_cast<std::size_t>(spec_.channel)], count);
    c.last_ack_ns.store(NowNs(), std::memory_order_relaxed);
  }
  MaybeDone();
  if (wsi_ != nullptr) lws_callback_on_writable(wsi_);
}

void LoadConnection::OnGreeted() {
  if (spec_.publisher) return MarkReady();
  state_ = State::kSubscribing;
  control_out_ += talk_->Subscribe(channel_);
  if (wsi_ != nullptr) lws_callback_on_writable(wsi_);
}

void LoadConnection::OnSubscribed() { MarkReady(); }

void LoadConnection::OnPublishDone(std::uint64_t ref, bool ok) {
  if (!ok) Bump(shared_.counters.errors);
  Completed((ref & 1) != 0, ok, 1);
}

void LoadConnection::OnFlushed() {
  if (flushes_.empty()) return;
  auto [measured, warm] = flushes_.front();
  flushes_.pop_front();
  if (warm > 0) Completed(false, true, warm);
  if (measured > 0) Completed(true, true, measured);
}

void LoadConnection::OnDelivery(std::string_view text) {
  if (text.size() < kPayloadHeader || text[0] != 'm') return;  // warm-up traffic
  std::int64_t sent_ns = 0;
  std::from_chars(text.data() + 1, text.data() + 20, sent_ns);
  std::int64_t now_ns = received_ns_;
  shared_.latency_by_url[spec_.url].Record(
      static_cast<std::uint64_t>(std::max<std::int64_t>(now_ns - sent_ns, 0)));
  WorkerCounters& c = shared_.counters;
  Bump(c.delivered);
  Bump(c.delivered_bytes, text.size());
  c.last_delivery_ns.store(now_ns, std::memory_order_relaxed);
}

void LoadConnection::OnFailure(std::string_view why) {
  shared_.NoteError(why);
  Bump(shared_.counters.errors);
  failed_ = true;
}

void LoadConnection::OnReply(std::string bytes) {
  control_out_ += bytes;
  if (wsi_ != nullptr) lws_callback_on_writable(wsi_);
}

void LoadConnection::OnConnectionError(const lws* wsi, const char* why, std::size_t len) {
  shared_.NoteError(why != nullptr ? "connection failed: " + std::string(why, len)
                                   : std::string("connection failed"));
  if (wsi_ == wsi || state_ == State::kConnecting) Dropped(false);
}

void LoadConnection::Established() {
  --shared_.connecting;
  state_ = State::kGreeting;
  control_out_ = talk_->Greeting(spec_.user, shared_.plan.token);
  lws_callback_on_writable(wsi_);
}

int LoadConnection::OnRawReceive(lws* wsi, const char* in, std::size_t len) {
  if (reader_ == nullptr) return -1;
  received_ns_ = NowNs();
  reader_->Add(in, len);
  for (;;) {
    switch (reader_->Next()) {
      case WsClientReader::Event::kNeedMore:
        return failed_ ? -1 : 0;
      case WsClientReader::Event::kOpen:
        Established();
        break;
      case WsClientReader::Event::kMessage:
        talk_->Feed(reader_->message(), *this);
        if (failed_) return -1;
        break;
      case WsClientReader::Event::kPing:
        AppendClientFrame(raw_out_, 0xA, reader_->message());
        lws_callback_on_writable(wsi);
        break;
      case WsClientReader::Event::kClose:
        if (shared_.control.phase.load() != Phase::kStop) {
          shared_.NoteError("closed by the server with " + std::to_string(reader_->close_code()));
        }
        return -1;
      case WsClientReader::Event::kError:
        shared_.NoteError(reader_->error());
        return -1;
    }
  }
}

int LoadConnection::OnReceive(lws* wsi, const char* in, std::size_t len) {
  received_ns_ = NowNs();
  bool whole = lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0;
  if (whole && inbound_.empty()) {
    talk_->Feed(std::string_view(in, len), *this);  // no copy for the common case
  } else {
    inbound_.append(in, len);
    if (whole) {
      talk_->Feed(inbound_, *this);
      inbound_.clear();
    }
  }
  return failed_ ? -1 : 0;
}

void LoadConnection::Dropped(bool was_established) {
  wsi_ = nullptr;
  if (state_ == State::kConnecting) --shared_.connecting;
  Phase phase = shared_.control.phase.load();
  if (in_flight_ > 0 && phase >= Phase::kMeasure) {
    Bump(shared_.counters.lost_in_flight, in_flight_);
  }
  in_flight_ = 0;
  flushes_.clear();
  state_ = State::kIdle;
  if (phase == Phase::kStop) return;
  if (!counted_ready_ && ++attempts_ >= kSetupAttempts) {
    Bump(shared_.counters.setup_failures);
    given_up_ = true;
    return;
  }
  if (counted_ready_ && was_established) Bump(shared_.counters.reconnects);
  reconnect_at_ = Clock::now() + kReconnectDelay;
}

}  // namespace chatctl::loadgen
