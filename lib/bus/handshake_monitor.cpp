// Mesh handshake refusals, logged on both sides (see handshake_monitor.h).
#include "lib/bus/handshake_monitor.h"

#include <atomic>
#include <cerrno>
#include <cstring>

#include "lib/log.h"

namespace chatctl::bus {
namespace {

constexpr std::int64_t kLogEveryMs = 60'000;
constexpr int kFailures = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                          ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
// A connecting socket also follows each connection, because a server that refuses a plaintext
// client may close before the client has read the greeting that would show it the mismatch.
constexpr int kClientEvents =
    kFailures | ZMQ_EVENT_CONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED;

std::atomic<std::uint64_t> next_monitor{1};  // inproc names are per context; any thread

}  // namespace

std::string HandshakeFailureReason(std::uint16_t event, std::uint32_t value, bool server) {
  if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
    return server ? "its key is not in this node's --mesh-trust file"
                  : "the other node refused this node's key: add this node's public key to its "
                    "--mesh-trust file";
  }
  if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
    switch (value) {
      case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
        return "one node has --mesh-key and the other has not: the mesh is secured on one side "
               "only";
      case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
        return "the CURVE handshake failed: the key this node has for the other is not its key";
      default:
        return "the mesh handshake failed (ZeroMQ protocol error " + std::to_string(value) + ")";
    }
  }
  // The side that sees the mismatch first hangs up, and the other sees only that: a secured node
  // facing a plaintext one (or the other way round) is the usual cause.
  bool hung_up =
      event == ZMQ_EVENT_DISCONNECTED ||
      (event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL && (value == EPIPE || value == ECONNRESET));
  if (hung_up) {
    return server ? "the other node hung up during the handshake: it may have no --mesh-key "
                    "while this node has one"
                  : "the other node hung up during the handshake: it may have --mesh-key while "
                    "this node has not";
  }
  return std::string("the mesh handshake failed: ") + std::strerror(static_cast<int>(value));
}

Result<HandshakeMonitor> HandshakeMonitor::Watch(zmq::context_t& context, zmq::socket_t& socket,
                                                 std::string label, bool server) {
  std::string address = "inproc://chatctl-handshake-" + std::to_string(next_monitor++);
  if (zmq_socket_monitor(socket.handle(), address.c_str(), server ? kFailures : kClientEvents) !=
      0) {
    return Error{"unavailable",
                 "cannot monitor the mesh " + label + ": " + zmq_strerror(zmq_errno())};
  }
  try {
    zmq::socket_t events(context, zmq::socket_type::pair);
    events.set(zmq::sockopt::linger, 0);
    events.connect(address);
    return HandshakeMonitor(std::move(events), std::move(label), server);
  } catch (const zmq::error_t& e) {
    return Error{"unavailable", "cannot monitor the mesh " + label + ": " + e.what()};
  }
}

void HandshakeMonitor::Drain(std::int64_t now_ms, bool only_refusals_by_peer) {
  for (int i = 0; i < 64; ++i) {
    zmq::message_t head, endpoint;
    try {
      if (!events_.recv(head, zmq::recv_flags::dontwait)) return;
      if (!head.more() || !events_.recv(endpoint, zmq::recv_flags::dontwait)) return;
    } catch (const zmq::error_t&) {
      return;  // the context is ending
    }
    if (head.size() < 6) continue;
    std::uint16_t event = 0;
    std::uint32_t value = 0;
    std::memcpy(&event, head.data(), sizeof event);
    std::memcpy(&value, static_cast<const char*>(head.data()) + sizeof event, sizeof value);
    std::string where = endpoint.to_string();
    if (event == ZMQ_EVENT_CONNECTED || event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
      handshaken_[where] = event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED;
      continue;
    }
    if (event == ZMQ_EVENT_DISCONNECTED) {
      bool cut_short = !handshaken_[where];  // closed before any handshake on it succeeded
      handshaken_.erase(where);
      if (!cut_short || only_refusals_by_peer) continue;
    }
    if (only_refusals_by_peer && event != ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) continue;
    // A bound socket's refusal by its ZAP handler is logged there, with the client's key.
    if (server_ && event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) continue;
    std::string reason = HandshakeFailureReason(event, value, server_);
    auto& last = last_logged_ms_[where + "\n" + reason];
    if (last != 0 && now_ms - last < kLogEveryMs) continue;
    last = now_ms;
    log::Warn(server_ ? "mesh: refused a node" : "mesh: refused by a node",
              {{"socket", label_}, {"endpoint", where}, {"reason", reason}});
  }
}

Status MeshMonitors::Watch(zmq::context_t& context, zmq::socket_t& socket, std::string label,
                           bool server) {
  auto watched = HandshakeMonitor::Watch(context, socket, std::move(label), server);
  if (!watched.ok()) return watched.error();
  sockets_.push_back(std::move(watched.value()));
  return Ok{};
}

Status MeshMonitors::WatchServer(zmq::context_t& context, zmq::socket_t& socket,
                                 std::string label) {
  return Watch(context, socket, std::move(label), /*server=*/true);
}

Status MeshMonitors::WatchClient(zmq::context_t& context, zmq::socket_t& socket,
                                 std::string label) {
  return Watch(context, socket, std::move(label), /*server=*/false);
}

void MeshMonitors::WatchBootstrap(zmq::context_t& context, const std::string& endpoint,
                                  zmq::socket_t& socket) {
  // Without it the node is only less talkative: a failure here is not the mesh's.
  auto watched = HandshakeMonitor::Watch(context, socket, "bootstrap SUB", /*server=*/false);
  if (watched.ok()) bootstraps_[endpoint].push_back(std::move(watched.value()));
}

void MeshMonitors::AddPollItems(std::vector<zmq::pollitem_t>& items) {
  for (auto& m : sockets_) items.push_back({m.events().handle(), 0, ZMQ_POLLIN, 0});
  for (auto& [endpoint, list] : bootstraps_) {
    for (auto& m : list) items.push_back({m.events().handle(), 0, ZMQ_POLLIN, 0});
  }
}

void MeshMonitors::Drain(const std::vector<zmq::pollitem_t>& items, std::size_t first,
                         std::int64_t now_ms) {
  std::size_t i = first;
  for (auto& m : sockets_) {
    if ((items[i++].revents & ZMQ_POLLIN) != 0) m.Drain(now_ms);
  }
  for (auto& [endpoint, list] : bootstraps_) {
    for (auto& m : list) {
      if ((items[i++].revents & ZMQ_POLLIN) != 0) m.Drain(now_ms, /*only_refusals_by_peer=*/true);
    }
  }
}

}  // namespace chatctl::bus
