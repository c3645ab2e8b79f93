// Where the mesh's servers bind, and sending and receiving on its ZeroMQ sockets without blocking
// and without exceptions:
// cppzmq throws zmq::error_t for every failure but "would block", and the mesh thread must decide
// what a failure means instead of unwinding. A full pipe is not a failure here (the mesh protocol
// fetches what a peer missed); anything else comes back as an Error naming the socket.
// Leaves out which socket is which and what the frames mean (zmq_bus.cpp, mesh_wire.h).
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "lib/result.h"

namespace chatctl::bus {

// --mesh-bind tcp://HOST:PORT: the PUB binds there and the ROUTER at PORT + 1; PORT 0 (or *)
// gives each any free port.
struct BindEndpoints {
  std::string pub;
  std::string router;
};
Result<BindEndpoints> EndpointsToBind(const std::string& bind);

using Frames = std::vector<zmq::message_t>;

enum class Sent {
  kQueued,
  kDropped,  // the pipe was full or had no peer (or a signal came first): the message is gone
};

// One multipart message, all of it or none (ZeroMQ sends multipart atomically).
Result<Sent> SendNow(zmq::socket_t& socket, std::span<const zmq::const_buffer> parts,
                     std::string_view socket_name);

// One whole multipart message if one is waiting; nullopt when none is.
Result<std::optional<Frames>> ReceiveNow(zmq::socket_t& socket, std::string_view socket_name);

// zmq::poll; a signal that cuts the wait short counts as a wait with nothing ready.
Status PollFor(std::vector<zmq::pollitem_t>& items, std::chrono::milliseconds timeout);

}  // namespace chatctl::bus
