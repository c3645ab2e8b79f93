// The NATS client protocol inside WebSocket frames, for side-by-side figures: CONNECT, SUB, PUB and
// MSG text commands; PING/PONG marks the points the server has taken everything before.
#include <charconv>
#include <deque>

#include "loadgen/dialects.h"

namespace chatctl::loadgen {
namespace {

class NatsConversation final : public Conversation {
 public:
  std::string Greeting(const std::string&, const std::string& token) override {
    pongs_.push_back(Pong::kGreeted);
    std::string options =
        R"({"verbose":false,"pedantic":false,"echo":false,"name":"chatctl-bench")";
    if (!token.empty()) options += R"(,"auth_token":")" + token + "\"";
    return "CONNECT " + options + "}\r\nPING\r\n";
  }

  std::string Subscribe(const std::string& channel) override {
    pongs_.push_back(Pong::kSubscribed);
    return "SUB " + channel + " 1\r\nPING\r\n";
  }

  void AppendPublish(std::string& frame, const std::string& channel, std::string_view payload,
                     std::uint64_t) override {
    frame += "PUB ";
    frame += channel;
    frame += ' ';
    frame += std::to_string(payload.size());
    frame += "\r\n";
    frame += payload;
    frame += "\r\n";
  }

  void AppendFlush(std::string& frame) override {
    pongs_.push_back(Pong::kFlushed);
    frame += "PING\r\n";
  }

  // A MSG's payload may end in a later frame than its header, so bytes wait in `buffer_`.
  void Feed(std::string_view message, ConversationEvents& events) override {
    buffer_.append(message);
    std::size_t at = 0;
    while (true) {
      auto eol = buffer_.find("\r\n", at);
      if (eol == std::string::npos) break;
      std::string_view line(buffer_.data() + at, eol - at);
      std::size_t next = eol + 2;
      if (line.substr(0, 4) == "MSG ") {
        // MSG <subject> <sid> [reply-to] <#bytes>
        auto space = line.rfind(' ');
        std::size_t bytes = 0;
        std::from_chars(line.data() + space + 1, line.data() + line.size(), bytes);
        if (buffer_.size() < next + bytes + 2) break;  // the payload is still on its way
        events.OnDelivery(std::string_view(buffer_.data() + next, bytes));
        next += bytes + 2;
      } else if (line == "PONG") {
        Answered(events);
      } else if (line == "PING") {
        events.OnReply("PONG\r\n");
      } else if (line.substr(0, 4) == "-ERR") {
        events.OnFailure(line);
      }
      // INFO and +OK carry nothing the load generator needs
      at = next;
    }
    buffer_.erase(0, at);
  }

 private:
  enum class Pong { kGreeted, kSubscribed, kFlushed };

  void Answered(ConversationEvents& events) {
    if (pongs_.empty()) return;
    Pong pong = pongs_.front();
    pongs_.pop_front();
    if (pong == Pong::kGreeted) events.OnGreeted();
    if (pong == Pong::kSubscribed) events.OnSubscribed();
    if (pong == Pong::kFlushed) events.OnFlushed();
  }

  std::string buffer_;
  std::deque<Pong> pongs_;
};

class NatsDialect final : public Dialect {
 public:
  const char* name() const override { return "nats"; }
  const char* subprotocol() const override { return nullptr; }
  bool binary_frames() const override { return false; }
  bool acks_each_publish() const override { return false; }
  std::unique_ptr<Conversation> NewConversation() const override {
    return std::make_unique<NatsConversation>();
  }
};

}  // namespace

std::unique_ptr<Dialect> MakeNatsDialect() { return std::make_unique<NatsDialect>(); }

}  // namespace chatctl::loadgen
