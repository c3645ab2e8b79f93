// Plain HTTP on the node's port, as its own lws protocol ("http", mounted at /): it reads a
// request's head and body (at most 64 KiB), hands the whole request to the router it was given,
// and writes the answer whenever it comes: at once, or later, once another thread's result is
// back on the gateway thread. WebSocket upgrades never come here (relay/gateway.cpp). Gateway
// thread only, like everything that calls lws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_map>

#include "lib/thread_edge.h"
#include "relay/http/http_routes.h"

struct lws;
struct lws_protocols;

namespace chatctl::relay {

class HttpServer;

// Where a request's answer goes; copyable into the lambdas that answer later. Answering a
// request whose caller has hung up meanwhile does nothing.
class HttpResponder {
 public:
  HttpResponder(HttpServer* server, std::uint64_t id) : server_(server), id_(id) {}
  void operator()(HttpReply reply) const;

 private:
  HttpServer* server_;
  std::uint64_t id_;
};

class HttpServer {
 public:
  static constexpr const char* kProtocolName = "http";
  static constexpr std::size_t kMaxBodyBytes = 64 * 1024;

  using Router = std::function<void(HttpResponder respond, const HttpRequest& request)>;
  // `failed`: a callback threw (lws is C: nothing may unwind through it); the node stops.
  HttpServer(Router route, ThreadFailed failed)
      : route_(std::move(route)), failed_(std::move(failed)) {}

  // The lws protocol entry; its `user` is this server. Valid while this server lives.
  lws_protocols Protocol();
  // Writes `reply` whole, at once, on a connection lws has not answered yet: a refused WebSocket
  // upgrade, which lws then closes. 0, or -1 when it could not be written.
  static int WriteNow(lws* wsi, const HttpReply& reply);
  void Respond(std::uint64_t id, HttpReply reply);

 private:
  int OnCallback(lws* wsi, int reason, void* user, void* in, std::size_t len);
  static int Trampoline(lws* wsi, int reason, void* user, void* in, std::size_t len);

  const Router route_;
  const ThreadFailed failed_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, lws*> waiting_;  // requests not answered yet
};

}  // namespace chatctl::relay
