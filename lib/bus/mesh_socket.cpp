// Error-as-value wrappers over cppzmq (see mesh_socket.h).
#include "lib/bus/mesh_socket.h"

#include <cerrno>
#include <iterator>
#include <string>
#include <zmq_addon.hpp>

namespace chatctl::bus {
namespace {

Error SocketError(std::string_view verb, std::string_view socket_name, const zmq::error_t& e) {
  return Error{"unavailable", "mesh: " + std::string(verb) + " on the " + std::string(socket_name) +
                                  " failed: " + e.what()};
}

}  // namespace

Result<BindEndpoints> EndpointsToBind(const std::string& bind) {
  Error wrong{"bad_request", "--mesh-bind " + bind + ": want tcp://HOST:PORT"};
  auto colon = bind.rfind(':');
  if (colon == std::string::npos || colon < 6) return wrong;
  std::string base = bind.substr(0, colon);
  std::string port_text = bind.substr(colon + 1);
  int port = 0;
  if (port_text != "*") {
    if (port_text.empty() || port_text.size() > 5 ||
        port_text.find_first_not_of("0123456789") != std::string::npos) {
      return wrong;
    }
    port = std::stoi(port_text);
  }
  if (port == 0) return BindEndpoints{base + ":*", base + ":*"};
  return BindEndpoints{bind, base + ":" + std::to_string(port + 1)};
}

Result<Sent> SendNow(zmq::socket_t& socket, std::span<const zmq::const_buffer> parts,
                     std::string_view socket_name) {
  try {
    auto sent = zmq::send_multipart(socket, parts, zmq::send_flags::dontwait);
    return sent ? Sent::kQueued : Sent::kDropped;
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return Sent::kDropped;
    return SocketError("send", socket_name, e);
  }
}

Result<std::optional<Frames>> ReceiveNow(zmq::socket_t& socket, std::string_view socket_name) {
  try {
    Frames frames;
    auto got = zmq::recv_multipart(socket, std::back_inserter(frames), zmq::recv_flags::dontwait);
    if (!got) return std::optional<Frames>();
    return std::optional<Frames>(std::move(frames));
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return std::optional<Frames>();
    return SocketError("receive", socket_name, e);
  }
}

Status PollFor(std::vector<zmq::pollitem_t>& items, std::chrono::milliseconds timeout) {
  try {
    zmq::poll(items, timeout);
    return Ok{};
  } catch (const zmq::error_t& e) {
    for (auto& item : items) item.revents = 0;
    if (e.num() == EINTR) return Ok{};
    return Error{"unavailable", std::string("mesh: poll failed: ") + e.what()};
  }
}

}  // namespace chatctl::bus
