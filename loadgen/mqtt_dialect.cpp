// MQTT 3.1.1 over WebSocket at QoS 0, for side-by-side figures: CONNECT/CONNACK, SUBSCRIBE/SUBACK,
// PUBLISH both ways; PINGREQ/PINGRESP marks the points the broker has taken everything before.
#include <unistd.h>

#include <atomic>
#include <cstdint>

#include "loadgen/dialects.h"

namespace chatctl::loadgen {
namespace {

enum : unsigned char {
  kConnect = 0x10,
  kConnack = 0x20,
  kPublish = 0x30,
  kSubscribe = 0x82,  // the type, and the flags 3.1.1 requires
  kSuback = 0x90,
  kPingreq = 0xC0,
  kPingresp = 0xD0,
};

void AppendLength(std::string& out, std::size_t length) {
  do {
    auto byte = static_cast<unsigned char>(length % 128);
    length /= 128;
    if (length > 0) byte |= 0x80;
    out += static_cast<char>(byte);
  } while (length > 0);
}

void AppendString(std::string& out, std::string_view text) {
  out += static_cast<char>((text.size() >> 8) & 0xFF);
  out += static_cast<char>(text.size() & 0xFF);
  out += text;
}

std::string Packet(unsigned char type, const std::string& body) {
  std::string out(1, static_cast<char>(type));
  AppendLength(out, body.size());
  return out + body;
}

class MqttConversation final : public Conversation {
 public:
  std::string Greeting(const std::string& user, const std::string&) override {
    static std::atomic<std::uint64_t> next_client{0};
    std::string body;
    AppendString(body, "MQTT");
    body += '\x04';  // protocol level 3.1.1
    body += '\x02';  // clean session
    // Keep-alive off: a subscriber sends nothing after SUBSCRIBE, and with one set the broker
    // would drop it after 1.5 times that, in the middle of a long run or --hold.
    body += '\x00';
    body += '\x00';
    AppendString(body, "bench-" + std::to_string(getpid()) + "-" + user + "-" +
                           std::to_string(next_client++));
    return Packet(kConnect, body);
  }

  std::string Subscribe(const std::string& channel) override {
    std::string body("\x00\x01", 2);  // packet id 1
    AppendString(body, channel);
    body += '\x00';  // QoS 0
    return Packet(kSubscribe, body);
  }

  void AppendPublish(std::string& frame, const std::string& channel, std::string_view payload,
                     std::uint64_t) override {
    frame += static_cast<char>(kPublish);
    AppendLength(frame, 2 + channel.size() + payload.size());
    AppendString(frame, channel);
    frame += payload;
  }

  void AppendFlush(std::string& frame) override {
    frame += static_cast<char>(kPingreq);
    frame += '\x00';
  }

  // Packets may straddle WebSocket messages, so bytes wait in `buffer_` until one is whole.
  void Feed(std::string_view message, ConversationEvents& events) override {
    buffer_.append(message);
    std::size_t at = 0;
    while (buffer_.size() - at >= 2) {
      std::size_t length = 0;
      std::size_t header = 1;
      unsigned shift = 0;
      bool complete = false;
      while (at + header < buffer_.size() && header <= 4) {
        auto byte = static_cast<unsigned char>(buffer_[at + header]);
        length |= static_cast<std::size_t>(byte & 0x7F) << shift;
        shift += 7;
        ++header;
        if ((byte & 0x80) == 0) {
          complete = true;
          break;
        }
      }
      if (!complete || buffer_.size() - at < header + length) break;
      OnPacket(static_cast<unsigned char>(buffer_[at]),
               std::string_view(buffer_.data() + at + header, length), events);
      at += header + length;
    }
    buffer_.erase(0, at);
  }

 private:
  static void OnPacket(unsigned char type, std::string_view body, ConversationEvents& events) {
    switch (type & 0xF0) {
      case kPublish: {
        if (body.size() < 2) return events.OnFailure("short PUBLISH");
        std::size_t topic =
            (static_cast<unsigned char>(body[0]) << 8) | static_cast<unsigned char>(body[1]);
        std::size_t skip = 2 + topic + ((type & 0x06) != 0 ? 2 : 0);  // a packet id above QoS 0
        if (body.size() < skip) return events.OnFailure("short PUBLISH");
        return events.OnDelivery(body.substr(skip));
      }
      case kConnack:
        if (body.size() == 2 && body[1] == 0) return events.OnGreeted();
        return events.OnFailure("the broker refused the connection");
      case kSuback:
        if (body.size() >= 3 && static_cast<unsigned char>(body[2]) != 0x80) {
          return events.OnSubscribed();
        }
        return events.OnFailure("the broker refused the subscription");
      case kPingresp:
        return events.OnFlushed();
      default:
        return;
    }
  }

  std::string buffer_;
};

class MqttDialect final : public Dialect {
 public:
  const char* name() const override { return "mqtt"; }
  const char* subprotocol() const override { return "mqtt"; }
  bool binary_frames() const override { return true; }
  bool acks_each_publish() const override { return false; }
  std::unique_ptr<Conversation> NewConversation() const override {
    return std::make_unique<MqttConversation>();
  }
};

}  // namespace

std::unique_ptr<Dialect> MakeMqttDialect() { return std::make_unique<MqttDialect>(); }

}  // namespace chatctl::loadgen
