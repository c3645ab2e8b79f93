// The gateway: the libwebsockets service thread. It owns the lws context and the loop, and the
// parts that answer clients, each in its own file: the HTTP server and admin API (relay/http/),
// the sessions, channel index and outbound path (relay/sessions/), the request handlers
// (relay/handlers/), and what they share (relay/gateway_context.h). It alone calls into lws;
// other threads only Post() to it, which wakes it with lws_cancel_service.
//
// Life of a `send`: validate -> id -> Committer (with the frame's other sends) -> (the writer
// commits) -> Committed comes back through the inbox -> ack to the sender, fan-out to sessions.
// Nothing reaches a client before it is durable.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

#include "lib/bus/bus.h"
#include "lib/result.h"
#include "lib/thread_edge.h"
#include "relay/events.h"
#include "relay/gateway_context.h"
#include "relay/handlers/accounts.h"
#include "relay/handlers/control_effects.h"
#include "relay/handlers/messages.h"
#include "relay/handlers/rooms.h"
#include "relay/http/admin_api.h"
#include "relay/http/http_server.h"
#include "relay/http/web_page.h"
#include "relay/sessions/lws_outbound.h"
#include "relay/work_queue.h"

struct lws;
struct lws_context;

namespace chatctl::relay {

class StoreWriter;
class HistoryReader;
class Worker;

class Gateway {
 public:
  // Creates the lws context and starts listening (so the port is known before Run()). `failed`:
  // an lws callback threw; the node stops.
  static Result<std::unique_ptr<Gateway>> Create(GatewayConfig config, ThreadFailed failed = {});
  ~Gateway();

  int port() const { return port_; }

  // Before Run(): the rooms and restricted users as the store has them.
  Status LoadDirectory(Store& store) { return gw_.directory.Load(store); }
  // Runs the service loop on the calling thread until a requested stop has drained. `queries`
  // reads the store for the admin API and moderation; `passwords` hashes and checks passwords.
  void Run(StoreWriter& writer, HistoryReader& reader, bus::Bus& bus, Worker& queries,
           Worker& passwords);

  // Any thread (and the signal thread): begin a graceful stop.
  void RequestStop();
  // Any thread: hand a result to the gateway and wake it.
  void Post(GatewayEvent event);

 private:
  struct LwsSetup;  // gateway.cpp: what lws keeps pointers to (protocols, mount, timer)
  Gateway(GatewayConfig config, ThreadFailed failed);

  static int Trampoline(lws* wsi, int reason, void* user, void* in, std::size_t len);
  // The WebSocket protocol's callbacks (HTTP has its own, in HttpServer).
  int OnCallback(lws* wsi, int reason, void* user, void* in, std::size_t len);
  void OnTick();
  int OnReceive(Session& s, const char* data, std::size_t len);
  // Each request of a text frame to its handler; the frame's sends go to the store together.
  void Dispatch(Session& s, std::string_view frame);
  void Route(const HttpResponder& respond, const HttpRequest& request);
  // An upgrade from a browser page whose Origin --allowed-origins does not name: answered 403.
  int RefuseForeignOrigin(lws* wsi);
  void DrainInbox();
  void OnCommitted(Committed committed);

  // Gateway thread, but `inbox_`, `stop_requested_` and `context_` (for lws_cancel_service).
  lws_context* context_ = nullptr;  // constant after Create
  int port_ = 0;
  const ThreadFailed failed_;
  GatewayStats stats_;
  LwsOutbound out_;
  GatewayContext gw_;
  Accounts accounts_;
  Messages messages_;
  Rooms rooms_;
  ControlEffects effects_;
  AdminApi api_;
  HttpServer http_;
  std::optional<WebPage> web_;  // none with --web off; constant after Create
  bus::Bus* bus_ = nullptr;     // set by Run()

  WorkQueue<GatewayEvent> inbox_{SIZE_MAX};  // any thread pushes; the gateway drains
  std::atomic<bool> stop_requested_{false};

  bool closing_all_ = false;  // the drain's second step: sessions are told to go
  bool done_ = false;
  std::int64_t drain_started_ms_ = 0;
  std::unique_ptr<LwsSetup> lws_;  // outlives context_
};

}  // namespace chatctl::relay
