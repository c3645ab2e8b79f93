// RFC 6455 and RFC 9110 as outside clients see them: every close the protocol lists reaches the
// client as a close frame, refused sends are each answered, a bad upgrade gets its HTTP status,
// raw control bytes are not JSON, and HTTP methods and HEAD are answered as HTTP says.
#include <catch2/catch.hpp>

#include "support/process.h"
#include "support/raw_ws.h"
#include "support/requests.h"

using namespace chatctl::test;
using nlohmann::json;

namespace {

std::string Upgrade(int port, const std::string& version, const std::string& key) {
  return HttpExchange(port,
                      "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: " +
                          key + "\r\nSec-WebSocket-Version: " + version + "\r\n\r\n");
}

std::string StatusLine(const std::string& response) {
  return response.substr(0, response.find("\r\n"));
}

}  // namespace

TEST_CASE("a frame far over the limit gets the close frame 1009 while the client still sends",
          "[protocol][conformance]") {
  TempDir dir;
  Node node(dir.path());
  // 1 MB in one frame: the node refuses it after 64 KiB and must still say why.
  auto big = OpenSession(node.port(), "alice");
  big->SendText(std::string(1 << 20, 'x'));
  CHECK(big->WaitClosed(10s) == 1009);
  // 70 KB in 1,001 fragments.
  auto fragments = OpenSession(node.port(), "alice");
  fragments->SendFrame(RawWs::kText, std::string(70, 'y'), false);
  for (int i = 1; i < 1000; ++i) {
    fragments->SendFrame(RawWs::kContinuation, std::string(70, 'y'), false);
  }
  fragments->SendFrame(RawWs::kContinuation, std::string(70, 'y'), true);
  CHECK(fragments->WaitClosed(10s) == 1009);
  // An 80 KB token in a hello.
  RawWs token(node.port());
  token.SendJson({{"type", "hello"}, {"token", std::string(80'000, 'a')}});
  CHECK(token.WaitClosed(10s) == 1009);
}

TEST_CASE("sends far past the rate are each answered rate_limited, then closed with a 4429 frame",
          "[protocol][conformance][limits]") {
  TempDir dir;
  Node node(dir.path(), {"--rate-limit", "50"});
  auto ws = OpenSession(node.port(), "alice");
  constexpr int kSends = 2000;
  for (int i = 0; i < kSends; ++i) {
    ws->SendJson({{"type", "send"}, {"ref", i}, {"channel", "general"}, {"text", "m"}});
  }
  int acks = 0, limited = 0;
  while (auto line = ws->ReadJson(10s)) {
    if ((*line)["type"] == "ack") ++acks;
    if ((*line)["type"] == "error" && (*line)["code"] == "rate_limited") ++limited;
  }
  CHECK(ws->closed());
  CHECK(ws->close_code() == 4429);
  CHECK(acks >= 400);    // the burst: every accepted send is acked before the close
  CHECK(limited >= 20);  // the strikes before the close, each answered
}

TEST_CASE("an upgrade with another WebSocket version gets 426 naming 13; a bad key gets 400",
          "[protocol][conformance][http]") {
  TempDir dir;
  Node node(dir.path());
  auto version = Upgrade(node.port(), "99", "dGhlIHNhbXBsZSBub25jZQ==");
  CHECK(StatusLine(version).find(" 426 ") != std::string::npos);
  CHECK_THAT(version, Catch::Contains("sec-websocket-version: 13", Catch::CaseSensitive::No));
  auto short_key = Upgrade(node.port(), "13", "abc");
  CHECK(StatusLine(short_key).find(" 400 ") != std::string::npos);
  auto good = Upgrade(node.port(), "13", "dGhlIHNhbXBsZSBub25jZQ==");
  CHECK(StatusLine(good).find(" 101 ") != std::string::npos);
}

TEST_CASE("a valid send followed by a raw NUL byte is bad_request and nothing is stored",
          "[protocol][conformance]") {
  TempDir dir;
  Node node(dir.path());
  auto ws = OpenSession(node.port(), "alice");
  ws->SendText(std::string(R"({"type":"send","ref":1,"channel":"general","text":"hidden"})") +
               std::string(1, '\0') + "garbage");
  auto reply = ws->ReadJson();
  REQUIRE(reply);
  CHECK((*reply)["type"] == "error");
  CHECK((*reply)["code"] == "bad_request");
  CHECK(HistoryTexts(*ws, "general").empty());
}

TEST_CASE("history before id 0 is empty: nothing is older", "[protocol][conformance][history]") {
  TempDir dir;
  Node node(dir.path());
  auto ws = OpenSession(node.port(), "alice");
  REQUIRE(Ask(*ws, {{"type", "send"}, {"channel", "general"}, {"text", "one"}})["type"] == "ack");
  auto page = Ask(*ws, {{"type", "history"}, {"channel", "general"}, {"before", "0"}});
  CHECK(page["type"] == "history");
  CHECK(page["messages"].empty());
  CHECK(page["more"] == false);
}

TEST_CASE("a wrong method on a known path is 405 with Allow, and HEAD has no body",
          "[http][conformance]") {
  TempDir dir;
  Node node(dir.path());
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
    auto response = HttpExchange(node.port(), std::string(method) +
                                                  " /api/v1/nodes HTTP/1.1\r\nHost: x\r\n"
                                                  "Connection: close\r\nContent-Length: 0\r\n\r\n");
    INFO(method << ": " << response);
    CHECK(StatusLine(response).find(" 405 ") != std::string::npos);
    CHECK_THAT(response, Catch::Contains("allow: GET, HEAD", Catch::CaseSensitive::No));
  }
  auto metrics = HttpExchange(node.port(),
                              "POST /metrics HTTP/1.1\r\nHost: x\r\nConnection: "
                              "close\r\nContent-Length: 0\r\n\r\n");
  CHECK(StatusLine(metrics).find(" 405 ") != std::string::npos);
  auto head =
      HttpExchange(node.port(), "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(StatusLine(head).find(" 200 ") != std::string::npos);
  CHECK_THAT(head, Catch::Contains("content-length: 3", Catch::CaseSensitive::No));
  CHECK(HttpBody(head).empty());
}

TEST_CASE("a chunked body over the limit is 413", "[http][conformance]") {
  TempDir dir;
  Node node(dir.path());
  std::string chunk(32 * 1024, 'x');
  std::string request =
      "POST /api/v1/publish HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) request += "8000\r\n" + chunk + "\r\n";
  request += "0\r\n\r\n";
  auto response = HttpExchange(node.port(), request);
  INFO(response.substr(0, 300));
  CHECK(StatusLine(response).find(" 413 ") != std::string::npos);
}
