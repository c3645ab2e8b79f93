// What a failed mesh handshake is called in the log, on the side that refused and on the side
// that was refused; and that a real refusal between two ZeroMQ sockets is seen by the monitor.
#include "lib/bus/handshake_monitor.h"

#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace chatctl::bus {
namespace {

TEST_CASE("a mechanism mismatch says that only one side has keys, on both sides",
          "[mesh][monitor]") {
  for (bool server : {true, false}) {
    CHECK_THAT(HandshakeFailureReason(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                                      ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH, server),
               Catch::Contains("one node has --mesh-key and the other has not"));
  }
}

TEST_CASE("a ZAP refusal tells the refused node to get its key trusted", "[mesh][monitor]") {
  CHECK_THAT(HandshakeFailureReason(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400, /*server=*/false),
             Catch::Contains("add this node's public key to its --mesh-trust file"));
  CHECK_THAT(HandshakeFailureReason(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400, /*server=*/true),
             Catch::Contains("not in this node's --mesh-trust file"));
}

TEST_CASE("a wrong server key and an unknown protocol error are named", "[mesh][monitor]") {
  CHECK_THAT(HandshakeFailureReason(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                                    ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC, false),
             Catch::Contains("not its key"));
  CHECK_THAT(HandshakeFailureReason(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, 0x10000001, false),
             Catch::Contains("protocol error"));
}

TEST_CASE("a connection closed during the handshake is named as a possible key mismatch",
          "[mesh][monitor]") {
  CHECK_THAT(HandshakeFailureReason(ZMQ_EVENT_DISCONNECTED, 0, /*server=*/false),
             Catch::Contains("it may have --mesh-key while this node has not"));
  CHECK_THAT(HandshakeFailureReason(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, EPIPE, /*server=*/true),
             Catch::Contains("it may have no --mesh-key while this node has one"));
  CHECK_THAT(
      HandshakeFailureReason(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, ECONNRESET, /*server=*/false),
      Catch::Contains("it may have --mesh-key while this node has not"));
}

TEST_CASE("a plaintext client facing a CURVE server: both monitors hear of it", "[mesh][monitor]") {
  zmq::context_t context(1);
  zmq::socket_t server(context, zmq::socket_type::pub);
  zmq::socket_t client(context, zmq::socket_type::sub);
  server.set(zmq::sockopt::linger, 0);
  client.set(zmq::sockopt::linger, 0);
  char public_key[41], secret_key[41];
  REQUIRE(zmq_curve_keypair(public_key, secret_key) == 0);
  server.set(zmq::sockopt::curve_server, true);
  server.set(zmq::sockopt::curve_secretkey, std::string(secret_key));
  auto server_monitor = HandshakeMonitor::Watch(context, server, "PUB", true);
  auto client_monitor = HandshakeMonitor::Watch(context, client, "SUB", false);
  REQUIRE(server_monitor.ok());
  REQUIRE(client_monitor.ok());
  server.bind("tcp://127.0.0.1:*");
  client.connect(server.get(zmq::sockopt::last_endpoint));
  // Both monitors hear of a failed handshake within a bounded wait. ZeroMQ retries the connection
  // every 100 ms, so there are many tries; the events are read as they come (an unread one would
  // keep the poll from waiting).
  auto failures_in = [](HandshakeMonitor& monitor, bool count_disconnects) {
    int failures = 0;
    for (;;) {
      zmq::message_t head, endpoint;
      if (!monitor.events().recv(head, zmq::recv_flags::dontwait)) return failures;
      (void)monitor.events().recv(endpoint, zmq::recv_flags::dontwait);
      std::uint16_t event = 0;
      std::memcpy(&event, head.data(), sizeof event);
      bool failed =
          (event & (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)) != 0;
      if (failed || (count_disconnects && event == ZMQ_EVENT_DISCONNECTED)) ++failures;
    }
  };
  bool server_heard = false, client_heard = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!(server_heard && client_heard) && std::chrono::steady_clock::now() < deadline) {
    std::vector<zmq::pollitem_t> items = {{server_monitor->events().handle(), 0, ZMQ_POLLIN, 0},
                                          {client_monitor->events().handle(), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, std::chrono::milliseconds(100));
    server_heard = failures_in(*server_monitor, false) > 0 || server_heard;
    client_heard = failures_in(*client_monitor, true) > 0 || client_heard;
  }
  CHECK(server_heard);
  CHECK(client_heard);
}

}  // namespace
}  // namespace chatctl::bus
