// A small WebSocket client for tests (see raw_ws.h).
#include "support/raw_ws.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <stdexcept>

namespace chatctl::test {

using Clock = std::chrono::steady_clock;

RawWs::RawWs(int port, const std::string& path, bool ask_subprotocol, int receive_buffer,
             const std::string& source) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (!source.empty()) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    if (inet_pton(AF_INET, source.c_str(), &from.sin_addr) != 1 ||
        bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
      close(fd_);
      throw std::runtime_error("cannot bind to source address " + source);
    }
  }
  // Before connect: the window scale is agreed in the handshake, and shrinking the buffer
  // later leaves the sender stalled on zero-window probes.
  if (receive_buffer > 0) {
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("connect failed: " + std::string(strerror(errno)));
  }
  std::string request = "GET " + path +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        "Sec-WebSocket-Version: 13\r\n";
  if (ask_subprotocol) request += "Sec-WebSocket-Protocol: chatctl.v1\r\n";
  request += "\r\n";
  if (send(fd_, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
    throw std::runtime_error("send failed");
  }
  auto deadline = Clock::now() + 5s;
  // Ask for one byte more than is buffered until the header's end is in; nothing is consumed.
  while (buffer_.find("\r\n\r\n") == std::string::npos) {
    if (!Fill(buffer_.size() + 1, deadline)) throw std::runtime_error("no upgrade response");
  }
  auto end = buffer_.find("\r\n\r\n");
  std::string head = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);
  if (head.find(" 101 ") == std::string::npos) {
    throw std::runtime_error("upgrade refused: " + head.substr(0, head.find("\r\n")));
  }
  auto p = head.find("ec-WebSocket-Protocol: ");
  if (p == std::string::npos) p = head.find("ec-websocket-protocol: ");
  if (p != std::string::npos) {
    auto s = p + std::strlen("ec-WebSocket-Protocol: ");
    subprotocol_ = head.substr(s, head.find("\r\n", s) - s);
  }
}

RawWs::~RawWs() {
  if (fd_ >= 0) close(fd_);
}

void RawWs::SendFrame(Opcode opcode, const std::string& payload, bool fin) {
  std::string frame;
  frame += static_cast<char>((fin ? 0x80 : 0) | opcode);
  std::size_t n = payload.size();
  if (n < 126) {
    frame += static_cast<char>(0x80 | n);
  } else if (n < 65536) {
    frame += static_cast<char>(0x80 | 126);
    frame += static_cast<char>((n >> 8) & 0xff);
    frame += static_cast<char>(n & 0xff);
  } else {
    frame += static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i) frame += static_cast<char>((n >> (8 * i)) & 0xff);
  }
  static std::mt19937 rng(12345);
  unsigned char mask[4];
  for (auto& m : mask) m = static_cast<unsigned char>(rng());
  frame.append(reinterpret_cast<char*>(mask), 4);
  for (std::size_t i = 0; i < n; ++i) {
    frame += static_cast<char>(static_cast<unsigned char>(payload[i]) ^ mask[i % 4]);
  }
  std::size_t done = 0;
  while (done < frame.size()) {
    ssize_t w = send(fd_, frame.data() + done, frame.size() - done, MSG_NOSIGNAL);
    if (w <= 0) return;  // the node closed; reads will tell
    done += static_cast<std::size_t>(w);
  }
}

bool RawWs::Fill(std::size_t n, Clock::time_point deadline) {
  while (buffer_.size() < n) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= 0ms) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char chunk[65536];
    ssize_t r = recv(fd_, chunk, sizeof chunk, 0);
    if (r <= 0) {
      closed_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(r));
  }
  return true;
}

bool RawWs::ReadExact(std::size_t n, std::string& out, Clock::time_point deadline) {
  if (!Fill(n, deadline)) return false;
  out = buffer_.substr(0, n);
  buffer_.erase(0, n);
  return true;
}

bool RawWs::ReadFrame(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    std::string head;
    if (!ReadExact(2, head, deadline)) return false;
    bool fin = (head[0] & 0x80) != 0;
    int opcode = head[0] & 0x0f;
    std::uint64_t len = static_cast<unsigned char>(head[1]) & 0x7f;
    std::string ext;
    if (len == 126) {
      if (!ReadExact(2, ext, deadline)) return false;
      len = (static_cast<unsigned char>(ext[0]) << 8) | static_cast<unsigned char>(ext[1]);
    } else if (len == 127) {
      if (!ReadExact(8, ext, deadline)) return false;
      len = 0;
      for (char c : ext) len = (len << 8) | static_cast<unsigned char>(c);
    }
    std::string payload;
    if (!ReadExact(len, payload, deadline)) return false;
    if (opcode == kClose) {
      closed_ = true;
      if (payload.size() >= 2) {
        close_code_ =
            (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]);
        close_reason_ = payload.substr(2);
      }
      return false;
    }
    if (opcode == kPing) {
      SendFrame(kPong, payload);
      continue;
    }
    if (opcode == kPong) continue;
    fragments_ += payload;
    if (!fin) continue;
    std::size_t start = 0;
    while (start <= fragments_.size()) {
      auto nl = fragments_.find('\n', start);
      std::string line =
          fragments_.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      if (!line.empty()) lines_.push_back(line);
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    fragments_.clear();
    return true;
  }
}

std::optional<nlohmann::json> RawWs::ReadJson(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (lines_.empty()) {
    if (closed_) return std::nullopt;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= 0ms || !ReadFrame(left)) return std::nullopt;
  }
  std::string line = lines_.front();
  lines_.pop_front();
  return nlohmann::json::parse(line);
}

std::optional<nlohmann::json> RawWs::ReadType(const std::string& type,
                                              std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= 0ms) return std::nullopt;
    auto j = ReadJson(left);
    if (!j) return std::nullopt;
    if ((*j)["type"] == type) return j;
  }
}

std::optional<int> RawWs::WaitClosed(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!closed_) {
    lines_.clear();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= 0ms) return std::nullopt;
    ReadFrame(left);
  }
  return close_code_;
}

std::unique_ptr<RawWs> OpenSession(int port, const std::string& user) {
  auto ws = std::make_unique<RawWs>(port);
  ws->SendJson({{"type", "hello"}, {"user", user}});
  auto welcome = ws->ReadType("welcome");
  if (!welcome) throw std::runtime_error("no welcome for " + user);
  return ws;
}

}  // namespace chatctl::test
