// Unit tests of the admin API's HTTP client (lib/client/http_client.h) without a network: how
// node URLs map to HTTP endpoints, what goes on the wire, and how answers are read (lengths,
// chunks, a close, cut-short and malformed answers). The socket half runs against real nodes in
// tests/integration/admin_cli.sh.
#include <catch2/catch.hpp>

#include "lib/client/http_client.h"

using chatctl::FormatHttpRequest;
using chatctl::HttpEndpoint;
using chatctl::HttpEndpointsFromNodeUrls;
using chatctl::HttpRequest;
using chatctl::ParseHttpResponse;

TEST_CASE("a ws URL becomes http on the same host and port, its path dropped", "[http]") {
  auto endpoints = HttpEndpointsFromNodeUrls("ws://chat.example.org:8080/relay/ws");
  REQUIRE(endpoints.ok());
  REQUIRE(endpoints->size() == 1);
  CHECK((*endpoints)[0].host == "chat.example.org");
  CHECK((*endpoints)[0].port == 8080);
  CHECK((*endpoints)[0].ToString() == "http://chat.example.org:8080");
}

TEST_CASE("a failover list keeps its order, and v6 literals keep their brackets", "[http]") {
  auto endpoints = HttpEndpointsFromNodeUrls("ws://127.0.0.1:7447/ws, [::1]:7457,host");
  REQUIRE(endpoints.ok());
  REQUIRE(endpoints->size() == 3);
  CHECK((*endpoints)[0].ToString() == "http://127.0.0.1:7447");
  CHECK((*endpoints)[1].host == "::1");
  CHECK((*endpoints)[1].ToString() == "http://[::1]:7457");
  CHECK((*endpoints)[2].ToString() == "http://host:7447");
}

TEST_CASE("wss is refused with a message that says the node has no TLS", "[http]") {
  auto endpoints = HttpEndpointsFromNodeUrls("ws://a:1,wss://b");
  REQUIRE_FALSE(endpoints.ok());
  CHECK(endpoints.error().code == "bad_request");
  CHECK(endpoints.error().message.find("wss:// is not supported") != std::string::npos);
}

TEST_CASE("a bad URL is refused as the WebSocket clients refuse it", "[http]") {
  CHECK_FALSE(HttpEndpointsFromNodeUrls("http://host").ok());
  CHECK_FALSE(HttpEndpointsFromNodeUrls("").ok());
}

TEST_CASE("a request carries Host, Connection: close and a Content-Length for its body", "[http]") {
  HttpRequest request;
  request.method = "POST";
  request.target = "/api/v1/users";
  request.headers = {{"Authorization", "Bearer t"}, {"Content-Type", "application/json"}};
  request.body = R"({"name":"ann"})";
  std::string wire = FormatHttpRequest(HttpEndpoint{"::1", 7447}, request);
  CHECK(wire ==
        "POST /api/v1/users HTTP/1.1\r\n"
        "Host: [::1]:7447\r\n"
        "Connection: close\r\n"
        "Authorization: Bearer t\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 14\r\n"
        "\r\n"
        R"({"name":"ann"})");
}

TEST_CASE("a GET has no Content-Length; a bodiless POST says 0", "[http]") {
  HttpRequest get;
  get.target = "/api/v1/nodes";
  CHECK(FormatHttpRequest(HttpEndpoint{"h", 1}, get).find("Content-Length") == std::string::npos);
  HttpRequest post;
  post.method = "POST";
  CHECK(FormatHttpRequest(HttpEndpoint{"h", 1}, post).find("Content-Length: 0\r\n") !=
        std::string::npos);
}

TEST_CASE("an answer with a Content-Length is complete once that many bytes are in", "[http]") {
  std::string raw =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n";
  CHECK_FALSE(ParseHttpResponse(raw + "{\"a\":", false).has_value());
  auto done = ParseHttpResponse(raw + "{\"a\":1}", false);
  REQUIRE(done.has_value());
  REQUIRE(done->ok());
  CHECK((*done)->status == 200);
  CHECK((*done)->content_type == "application/json");
  CHECK((*done)->body == "{\"a\":1}");
}

TEST_CASE("header names are case-insensitive", "[http]") {
  auto done = ParseHttpResponse("HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\nno", false);
  REQUIRE(done.has_value());
  REQUIRE(done->ok());
  CHECK((*done)->status == 404);
  CHECK((*done)->body == "no");
}

TEST_CASE("a chunked answer is joined, extensions and trailers skipped", "[http]") {
  std::string raw =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;x=y\r\n{\"a\"\r\n3\r\n:1}\r\n";
  CHECK_FALSE(ParseHttpResponse(raw, false).has_value());
  auto done = ParseHttpResponse(raw + "0\r\nX-Trailer: 1\r\n\r\n", false);
  REQUIRE(done.has_value());
  REQUIRE(done->ok());
  CHECK((*done)->body == "{\"a\":1}");
}

TEST_CASE("without a length the body runs to the close", "[http]") {
  std::string raw = "HTTP/1.0 200 OK\r\n\r\n{\"x\":true}";
  CHECK_FALSE(ParseHttpResponse(raw, false).has_value());
  auto done = ParseHttpResponse(raw, true);
  REQUIRE(done.has_value());
  REQUIRE(done->ok());
  CHECK((*done)->body == "{\"x\":true}");
}

TEST_CASE("an interim 100 Continue is skipped", "[http]") {
  auto done = ParseHttpResponse(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}", false);
  REQUIRE(done.has_value());
  REQUIRE(done->ok());
  CHECK((*done)->status == 201);
}

TEST_CASE("a success cut short is unavailable; a refusal cut short keeps its status", "[http]") {
  auto success = ParseHttpResponse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}", true);
  REQUIRE(success.has_value());
  REQUIRE_FALSE(success->ok());
  CHECK(success->error().code == "unavailable");
  auto refusal = ParseHttpResponse("HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\n", true);
  REQUIRE(refusal.has_value());
  REQUIRE(refusal->ok());
  CHECK((*refusal)->status == 404);
  auto nothing = ParseHttpResponse("", true);
  REQUIRE(nothing.has_value());
  CHECK_FALSE(nothing->ok());
}

TEST_CASE("what is not HTTP is refused, not guessed at", "[http]") {
  for (const char* raw :
       {"SSH-2.0-OpenSSH_9.2\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
    INFO(raw);
    auto parsed = ParseHttpResponse(raw, true);
    REQUIRE(parsed.has_value());
    CHECK_FALSE(parsed->ok());
  }
}
