// The load generator's worker (load_worker.h): its thread, its lws context and loop, the tick that
// paces connection attempts and publishing, and the lws callback that hands each connection's
// events to it (load_connection.cpp). Everything here runs on the worker's thread, except
// Start/Wake/Join/AckedOn/first_error, which the coordinator calls, and the worker's ticker thread,
// which only calls Wake once a millisecond. An exception on either thread stops the worker at the
// thread's edge (Run, the ticker, and Callback, since none may unwind through lws) and ends the run
// with an error.
#include "loadgen/load_worker.h"

#include <algorithm>
#include <chrono>

#include "lib/log.h"
#include "loadgen/load_connection.h"

namespace chatctl::loadgen {
namespace {

using Clock = std::chrono::steady_clock;

// How often the worker looks at the phase, rates and reconnections.
constexpr std::chrono::microseconds kTick{1000};
constexpr std::size_t kMaxConnecting = 128;
constexpr const char* kProtocolName = "chatctl-bench";

}  // namespace

WorkerShared::WorkerShared(const LoadPlan& plan_in, const Dialect& dialect_in,
                           const LoadControl& control_in)
    : plan(plan_in),
      dialect(dialect_in),
      control(control_in),
      acked_per_channel(static_cast<std::size_t>(std::max(plan_in.channels, 1))),
      latency_by_url(plan_in.urls.size()) {}

void WorkerShared::NoteError(std::string_view what) {
  std::lock_guard lock(error_mutex_);
  if (first_error_.empty()) first_error_ = std::string(what.substr(0, 300));
}

std::string WorkerShared::first_error() const {
  std::lock_guard lock(error_mutex_);
  return first_error_;
}

void WorkerShared::NoteFailure(std::string_view what) {
  std::lock_guard lock(error_mutex_);
  if (failure_.empty()) failure_ = std::string(what.substr(0, 300));
}

std::string WorkerShared::failure() const {
  std::lock_guard lock(error_mutex_);
  return failure_;
}

LoadWorker::LoadWorker(const LoadPlan& plan, const Dialect& dialect, LoadControl& control,
                       std::vector<ConnectionSpec> connections)
    : control_(control), shared_(plan, dialect, control) {
  for (auto& spec : connections) {
    connections_.push_back(std::make_unique<LoadConnection>(shared_, std::move(spec)));
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
  return shared_.acked_per_channel[static_cast<std::size_t>(channel)].load();
}

void LoadWorker::Run() {
  try {
    Serve();
  } catch (...) {
    Fail(std::current_exception());
  }
}

void LoadWorker::Fail(const std::exception_ptr& caught) noexcept {
  shared_.failed.store(true);  // first: this much cannot fail, and it alone ends the run
  try {
    std::string what = "an exception that is not a std::exception";
    try {
      std::rethrow_exception(caught);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log::Error("a load worker stopped on an exception", {{"error", what}});
    shared_.NoteFailure(what);
  } catch (...) {  // no memory for the words: the flag says enough
  }
}

void LoadWorker::Serve() {
  lws_set_log_level(0, nullptr);  // failures are counted and reported by the coordinator
  protocols_[0].name = kProtocolName;
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
  for (const auto& url : shared_.plan.urls) {
    if (url.tls) info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
  }
  lws_context* context = lws_create_context(&info);
  if (context == nullptr) {
    shared_.NoteError("cannot create a libwebsockets context");
    Bump(shared_.counters.setup_failures, connections_.size());
    return;
  }
  {
    std::lock_guard lock(context_mu_);
    context_ = context;
  }
  // However Serve ends, a throw included: the ticker stops, then the context goes.
  struct Teardown {
    LoadWorker& worker;
    lws_context* context;
    std::thread ticker;
    ~Teardown() {
      worker.ticking_.store(false);
      if (ticker.joinable()) ticker.join();
      {
        std::lock_guard lock(worker.context_mu_);  // no Wake() may be inside lws_cancel_service now
        worker.context_ = nullptr;
      }
      lws_context_destroy(context);  // drops every connection; the callbacks still see them go
    }
  } teardown{*this, context, {}};
  // The tick comes from a thread of its own through lws_cancel_service, not from an lws timer:
  // lws rounds a timer's wait down to whole milliseconds for poll(), so a timer due within the
  // next millisecond makes the loop spin with a zero timeout, and a 1 ms tick would spin always.
  ticking_.store(true);
  teardown.ticker = std::thread([this] {
    try {
      auto next = Clock::now();
      while (ticking_.load()) {
        next = std::max(next + kTick, Clock::now());  // late after a stall: no burst of catch-up
        std::this_thread::sleep_until(next);
        Wake();
      }
    } catch (...) {
      Fail(std::current_exception());  // the coordinator sees it and stops the worker
    }
  });
  OnTick();
  while (control_.phase.load() != Phase::kStop && !shared_.failed.load()) {
    if (lws_service(context, 0) < 0) break;
  }
}

void LoadWorker::OnTick() {
  Phase phase = control_.phase.load();
  std::int64_t now_ns = NowNs();
  if (phase != seen_phase_) {
    if (phase == Phase::kWarmup || phase == Phase::kMeasure) {
      std::int64_t start = phase == Phase::kMeasure ? control_.measure_start_ns.load() : now_ns;
      for (auto& c : connections_) c->StartPhase(start);
    }
    seen_phase_ = phase;
  }
  auto now = Clock::now();
  for (auto& c : connections_) {
    if (phase != Phase::kStop && shared_.connecting < kMaxConnecting && c->WantsToConnect(now)) {
      c->Connect(context_, kProtocolName);
    }
    c->OnTick(phase, now_ns);
  }
}

int LoadWorker::Callback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                         std::size_t len) {
  try {
    return Dispatch(wsi, reason, user, in, len);
  } catch (...) {
    // lws passes every callback a wsi, and its context's user is this worker.
    auto* worker =
        wsi != nullptr ? static_cast<LoadWorker*>(lws_context_user(lws_get_context(wsi))) : nullptr;
    if (worker != nullptr) worker->Fail(std::current_exception());
    return user != nullptr ? -1 : 0;  // closes the connection it happened on, if any
  }
}

int LoadWorker::Dispatch(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                         std::size_t len) {
  auto* c = static_cast<LoadConnection*>(user);
  const char* bytes = static_cast<const char*>(in);
  switch (reason) {
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
      if (c != nullptr) c->OnConnectionError(wsi, bytes, len);
      return 0;

    case LWS_CALLBACK_CLIENT_ESTABLISHED:
      if (c == nullptr) return -1;
      c->Established();
      return 0;

    case LWS_CALLBACK_RAW_CONNECTED:
      if (c == nullptr) return -1;
      lws_callback_on_writable(wsi);  // the upgrade request, waiting to go
      return 0;

    case LWS_CALLBACK_RAW_RX:
      return c == nullptr ? -1 : c->OnRawReceive(wsi, bytes, len);

    case LWS_CALLBACK_CLIENT_RECEIVE:
      return c == nullptr ? -1 : c->OnReceive(wsi, bytes, len);

    case LWS_CALLBACK_RAW_WRITEABLE:
    case LWS_CALLBACK_CLIENT_WRITEABLE:
      return c == nullptr ? -1 : c->OnWritable();

    case LWS_CALLBACK_CLIENT_CLOSED:
      if (c != nullptr && c->Owns(wsi)) c->Dropped(true);
      return 0;

    case LWS_CALLBACK_RAW_CLOSE:
    case LWS_CALLBACK_WSI_DESTROY:
      if (c != nullptr && c->Owns(wsi)) c->Dropped(c->past_connecting());
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
