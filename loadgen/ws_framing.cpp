// Client-side WebSocket framing over whole buffers (see ws_framing.h).
#include "loadgen/ws_framing.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstring>

namespace chatctl::loadgen {
namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string Base64(const unsigned char* data, std::size_t len) {
  std::string out(4 * ((len + 2) / 3) + 1, '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(len));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string ExpectedAccept(const std::string& key) {
  std::string text = key + std::string(kGuid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return Base64(digest, sizeof digest);
}

// The value of a header in a response head, case-insensitive name; "" when absent.
std::string Header(std::string_view head, std::string_view name) {
  std::size_t pos = 0;
  while ((pos = head.find("\r\n", pos)) != std::string_view::npos) {
    pos += 2;
    std::size_t end = head.find("\r\n", pos);
    std::string_view line = head.substr(pos, end == std::string_view::npos ? end : end - pos);
    if (line.size() > name.size() && line[name.size()] == ':' &&
        strncasecmp(line.data(), name.data(), name.size()) == 0) {
      std::string_view value = line.substr(name.size() + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
      return std::string(value);
    }
  }
  return "";
}

}  // namespace

std::string NewWebSocketKey() {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) std::memset(raw, 0x5a, sizeof raw);
  return Base64(raw, sizeof raw);
}

std::string UpgradeRequest(const std::string& host, const std::string& path,
                           const char* subprotocol, const std::string& key) {
  std::string r = "GET " + (path.empty() ? std::string("/") : path) + " HTTP/1.1\r\nHost: " + host +
                  "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
                  "\r\nSec-WebSocket-Version: 13\r\n";
  if (subprotocol != nullptr) r += "Sec-WebSocket-Protocol: " + std::string(subprotocol) + "\r\n";
  return r + "\r\n";
}

void AppendClientFrame(std::string& out, int opcode, std::string_view payload) {
  out += static_cast<char>(0x80 | opcode);
  std::size_t n = payload.size();
  if (n < 126) {
    out += static_cast<char>(0x80 | n);
  } else if (n <= 0xffff) {
    out += static_cast<char>(0x80 | 126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xff);
  } else {
    out += static_cast<char>(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xff);
  }
  unsigned char mask[4];
  if (RAND_bytes(mask, sizeof mask) != 1) std::memset(mask, 0x3c, sizeof mask);
  out.append(reinterpret_cast<const char*>(mask), 4);
  std::size_t at = out.size();
  out.append(payload);
  for (std::size_t i = 0; i < n; ++i) out[at + i] = static_cast<char>(out[at + i] ^ mask[i & 3]);
}

WsClientReader::WsClientReader(std::string key) : key_(std::move(key)) {}

void WsClientReader::Add(const char* data, std::size_t len) {
  if (start_ > 0 && start_ == in_.size()) {
    in_.clear();
    start_ = 0;
  } else if (start_ > 65536 && start_ * 2 > in_.size()) {
    in_.erase(0, start_);  // keep the buffer from growing by what was consumed
    start_ = 0;
  }
  in_.append(data, len);
}

WsClientReader::Event WsClientReader::Fail(std::string why) {
  error_ = std::move(why);
  return Event::kError;
}

WsClientReader::Event WsClientReader::Next() {
  std::string_view in(in_);
  in.remove_prefix(start_);
  if (!open_) {
    std::size_t end = in.find("\r\n\r\n");
    if (end == std::string_view::npos) {
      return in.size() > 16384 ? Fail("upgrade response too long") : Event::kNeedMore;
    }
    std::string_view head = in.substr(0, end);
    if (head.substr(0, 12) != "HTTP/1.1 101") {
      return Fail("upgrade refused: " + std::string(head.substr(0, head.find("\r\n"))));
    }
    if (Header(head, "Sec-WebSocket-Accept") != ExpectedAccept(key_)) {
      return Fail("upgrade answered with a wrong Sec-WebSocket-Accept");
    }
    start_ += end + 4;
    open_ = true;
    return Event::kOpen;
  }
  for (;;) {
    in = std::string_view(in_).substr(start_);
    if (in.size() < 2) return Event::kNeedMore;
    auto b0 = static_cast<unsigned char>(in[0]);
    auto b1 = static_cast<unsigned char>(in[1]);
    if ((b1 & 0x80) != 0) return Fail("the server masked a frame");
    std::size_t header = 2;
    std::uint64_t len = b1 & 0x7f;
    if (len == 126) {
      if (in.size() < 4) return Event::kNeedMore;
      len = (static_cast<std::uint64_t>(static_cast<unsigned char>(in[2])) << 8) |
            static_cast<unsigned char>(in[3]);
      header = 4;
    } else if (len == 127) {
      if (in.size() < 10) return Event::kNeedMore;
      len = 0;
      for (int i = 2; i < 10; ++i) len = (len << 8) | static_cast<unsigned char>(in[i]);
      header = 10;
    }
    if (len > (std::uint64_t{1} << 31)) return Fail("frame too large");
    if (in.size() < header + len) return Event::kNeedMore;
    std::string_view payload = in.substr(header, static_cast<std::size_t>(len));
    start_ += header + static_cast<std::size_t>(len);
    bool fin = (b0 & 0x80) != 0;
    int opcode = b0 & 0x0f;
    switch (opcode) {
      case 0x9:
        control_.assign(payload);
        message_ = control_;
        return Event::kPing;
      case 0xA:
        continue;  // a pong to a ping we never send
      case 0x8:
        close_code_ = payload.size() >= 2 ? (static_cast<unsigned char>(payload[0]) << 8) |
                                                static_cast<unsigned char>(payload[1])
                                          : 1005;
        return Event::kClose;
      case 0x1:
      case 0x2:
      case 0x0:
        if (fin && fragments_.empty() && opcode != 0) {
          message_ = payload;  // the common case: a whole message, no copy
          return Event::kMessage;
        }
        fragments_.append(payload);
        if (!fin) continue;
        control_.swap(fragments_);
        fragments_.clear();
        message_ = control_;
        return Event::kMessage;
      default:
        return Fail("unknown opcode " + std::to_string(opcode));
    }
  }
}

}  // namespace chatctl::loadgen
