// A deliberately small WebSocket client over a plain socket, for tests that must send what a
// well-behaved library never would: binary frames, invalid UTF-8, oversize or fragmented frames,
// or simply stop reading.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace chatctl::test {

using namespace std::chrono_literals;

class RawWs {
 public:
  enum Opcode : std::uint8_t {
    kContinuation = 0,
    kText = 1,
    kBinary = 2,
    kClose = 8,
    kPing = 9,
    kPong = 10
  };

  // Connects to 127.0.0.1:port and upgrades at `path`; throws on failure. A receive_buffer
  // (SO_RCVBUF bytes) makes a small window, for tests of a client that does not read. A `source`
  // address (another of 127.0.0.0/8) makes the connection come from there, as a second client
  // machine would.
  explicit RawWs(int port, const std::string& path = "/ws", bool ask_subprotocol = true,
                 int receive_buffer = 0, const std::string& source = "");
  ~RawWs();
  RawWs(const RawWs&) = delete;
  RawWs& operator=(const RawWs&) = delete;

  void SendFrame(Opcode opcode, const std::string& payload, bool fin = true);
  void SendText(const std::string& text) { SendFrame(kText, text); }
  void SendJson(const nlohmann::json& j) { SendText(j.dump()); }

  // The next JSON object from the node (frames split on '\n'); nullopt on timeout or close.
  std::optional<nlohmann::json> ReadJson(std::chrono::milliseconds timeout = 5s);
  // Reads until a JSON object with "type" == type arrives (others are dropped).
  std::optional<nlohmann::json> ReadType(const std::string& type,
                                         std::chrono::milliseconds timeout = 5s);
  // Reads and drops everything until the node closes; its close code (0 if none), or nullopt
  // on timeout.
  std::optional<int> WaitClosed(std::chrono::milliseconds timeout = 5s);

  bool closed() const { return closed_; }
  int close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }
  const std::string& subprotocol() const { return subprotocol_; }

 private:
  bool ReadFrame(std::chrono::milliseconds timeout);  // one whole message into lines_
  // Reads from the socket until at least n bytes are buffered.
  bool Fill(std::size_t n, std::chrono::steady_clock::time_point deadline);
  bool ReadExact(std::size_t n, std::string& out, std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string buffer_;  // bytes read, not yet parsed
  std::deque<std::string> lines_;
  std::string fragments_;
  bool closed_ = false;
  int close_code_ = 0;
  std::string close_reason_;
  std::string subprotocol_;
};

// Connects, says hello in open mode as `user` and reads the welcome; throws when refused.
std::unique_ptr<RawWs> OpenSession(int port, const std::string& user);

}  // namespace chatctl::test
