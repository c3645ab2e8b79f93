// The mesh's socket edge (lib/bus/mesh_socket.h): where --mesh-bind puts the PUB and the ROUTER,
// and ZeroMQ's failures coming back as values, a full pipe as a drop, never as an exception.
#include <catch2/catch.hpp>

#include "lib/bus/mesh_socket.h"

using namespace chatctl;
using namespace chatctl::bus;

TEST_CASE("the router binds one port above the pub, and port 0 gives each a free port",
          "[mesh_socket]") {
  auto fixed = EndpointsToBind("tcp://127.0.0.1:7448");
  REQUIRE(fixed.ok());
  CHECK(fixed->pub == "tcp://127.0.0.1:7448");
  CHECK(fixed->router == "tcp://127.0.0.1:7449");
  for (std::string any : {"tcp://127.0.0.1:0", "tcp://127.0.0.1:*", "tcp://127.0.0.1:00"}) {
    auto free = EndpointsToBind(any);
    REQUIRE(free.ok());
    CHECK(free->pub == "tcp://127.0.0.1:*");
    CHECK(free->router == "tcp://127.0.0.1:*");
  }
}

TEST_CASE("a --mesh-bind without a port is refused", "[mesh_socket]") {
  for (std::string bad : {"tcp://127.0.0.1", "tcp://127.0.0.1:", "tcp://127.0.0.1:74x8",
                          "tcp://127.0.0.1:123456", "7448"}) {
    auto endpoints = EndpointsToBind(bad);
    REQUIRE_FALSE(endpoints.ok());
    CHECK(endpoints.error().code == "bad_request");
  }
}

TEST_CASE("a dealer with no peer drops what it is given and receives nothing", "[mesh_socket]") {
  zmq::context_t context(1);
  zmq::socket_t dealer(context, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  std::array<zmq::const_buffer, 2> parts = {zmq::str_buffer("F"), zmq::str_buffer("{}")};
  auto sent = SendNow(dealer, parts, "DEALER");
  REQUIRE(sent.ok());
  CHECK(*sent == Sent::kDropped);
  auto got = ReceiveNow(dealer, "DEALER");
  REQUIRE(got.ok());
  CHECK_FALSE(*got);
}

TEST_CASE("a socket that refuses the call comes back as an error naming it", "[mesh_socket]") {
  zmq::context_t context(1);
  zmq::socket_t rep(context, zmq::socket_type::rep);
  rep.set(zmq::sockopt::linger, 0);
  std::array<zmq::const_buffer, 1> parts = {zmq::str_buffer("x")};
  auto sent = SendNow(rep, parts, "ZAP handler");  // REP must receive before it sends
  REQUIRE_FALSE(sent.ok());
  CHECK(sent.error().message.find("ZAP handler") != std::string::npos);
}

TEST_CASE("messages sent are received whole, part by part", "[mesh_socket]") {
  zmq::context_t context(1);
  zmq::socket_t pull(context, zmq::socket_type::pull);
  zmq::socket_t push(context, zmq::socket_type::push);
  pull.bind("inproc://mesh-socket-test");
  push.connect("inproc://mesh-socket-test");
  std::array<zmq::const_buffer, 2> parts = {zmq::str_buffer("E"), zmq::str_buffer("[]")};
  auto sent = SendNow(push, parts, "PUSH");
  REQUIRE(sent.ok());
  CHECK(*sent == Sent::kQueued);
  std::vector<zmq::pollitem_t> items = {{pull.handle(), 0, ZMQ_POLLIN, 0}};
  REQUIRE(PollFor(items, std::chrono::milliseconds(2000)).ok());
  auto got = ReceiveNow(pull, "PULL");
  REQUIRE(got.ok());
  REQUIRE(*got);
  REQUIRE((*got)->size() == 2);
  CHECK((**got)[0].to_string_view() == "E");
  CHECK((**got)[1].to_string_view() == "[]");
}
