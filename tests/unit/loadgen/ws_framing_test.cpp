// The load generator's client-side WebSocket framing (loadgen/ws_framing.h): the handshake's
// accept check, frames split anywhere across reads, fragments, pings, closes, and bad input.
#include <catch2/catch.hpp>

#include <string>

#include "loadgen/ws_framing.h"

using namespace chatctl::loadgen;
using Event = WsClientReader::Event;

namespace {

// RFC 6455 section 1.3's example key and the accept value it gives.
constexpr const char* kKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr const char* kUpgrade =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

std::string ServerFrame(int opcode, const std::string& payload, bool fin = true) {
  std::string f;
  f += static_cast<char>((fin ? 0x80 : 0) | opcode);
  if (payload.size() < 126) {
    f += static_cast<char>(payload.size());
  } else {
    f += static_cast<char>(126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size() & 0xff);
  }
  return f + payload;
}

}  // namespace

TEST_CASE("the upgrade is checked against the key's accept value", "[ws_framing]") {
  WsClientReader good(kKey);
  good.Add(kUpgrade, std::string(kUpgrade).size());
  CHECK(good.Next() == Event::kOpen);
  CHECK(good.Next() == Event::kNeedMore);

  WsClientReader wrong("c29tZSBvdGhlciBrZXkhIQ==");
  wrong.Add(kUpgrade, std::string(kUpgrade).size());
  CHECK(wrong.Next() == Event::kError);

  WsClientReader refused(kKey);
  std::string no = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
  refused.Add(no.data(), no.size());
  REQUIRE(refused.Next() == Event::kError);
  CHECK(refused.error() == "upgrade refused: HTTP/1.1 404 Not Found");
}

TEST_CASE("messages come out whole however the bytes are split", "[ws_framing]") {
  std::string big(70000, 'y');
  std::string bytes = std::string(kUpgrade) + ServerFrame(1, "hello\nworld") +
                      ServerFrame(1, std::string(300, 'x')) + ServerFrame(1, "par", false) +
                      ServerFrame(0, "ts") + ServerFrame(9, "pi") + ServerFrame(2, "bin");
  // A 64-bit length.
  bytes += static_cast<char>(0x81);
  bytes += static_cast<char>(127);
  for (int shift = 56; shift >= 0; shift -= 8)
    bytes += static_cast<char>((big.size() >> shift) & 0xff);
  bytes += big;
  bytes += ServerFrame(8, std::string("\x03\xe8", 2));
  for (std::size_t step : {std::size_t{1}, std::size_t{7}, bytes.size()}) {
    WsClientReader r(kKey);
    std::vector<std::string> messages;
    std::string ping;
    int close = 0;
    for (std::size_t at = 0; at < bytes.size(); at += step) {
      r.Add(bytes.data() + at, std::min(step, bytes.size() - at));
      for (Event e = r.Next(); e != Event::kNeedMore; e = r.Next()) {
        REQUIRE(e != Event::kError);
        if (e == Event::kMessage) messages.emplace_back(r.message());
        if (e == Event::kPing) ping = std::string(r.message());
        if (e == Event::kClose) close = r.close_code();
      }
    }
    INFO("step " << step);
    REQUIRE(messages.size() == 5);
    CHECK(messages[0] == "hello\nworld");
    CHECK(messages[1] == std::string(300, 'x'));
    CHECK(messages[2] == "parts");
    CHECK(messages[3] == "bin");
    CHECK(messages[4] == big);
    CHECK(ping == "pi");
    CHECK(close == 1000);
  }
}

TEST_CASE("a masked frame from the server is an error", "[ws_framing]") {
  WsClientReader r(kKey);
  r.Add(kUpgrade, std::string(kUpgrade).size());
  REQUIRE(r.Next() == Event::kOpen);
  std::string masked =
      "\x81\x81"
      "abcd"
      "x";
  r.Add(masked.data(), masked.size());
  CHECK(r.Next() == Event::kError);
}

TEST_CASE("client frames are masked and carry their length", "[ws_framing]") {
  std::string out;
  AppendClientFrame(out, 1, "hi");
  REQUIRE(out.size() == 2 + 4 + 2);
  CHECK(static_cast<unsigned char>(out[0]) == 0x81);
  CHECK(static_cast<unsigned char>(out[1]) == (0x80 | 2));
  CHECK(static_cast<char>(out[6] ^ out[2]) == 'h');
  CHECK(static_cast<char>(out[7] ^ out[3]) == 'i');
  std::string long_frame;
  AppendClientFrame(long_frame, 2, std::string(1000, 'z'));
  CHECK(static_cast<unsigned char>(long_frame[1]) == (0x80 | 126));
  CHECK(long_frame.size() == 4 + 4 + 1000);
  CHECK(
      UpgradeRequest("h:1", "/ws", "chatctl.v1", kKey).find("Sec-WebSocket-Protocol: chatctl.v1") !=
      std::string::npos);
}
