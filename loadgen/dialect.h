// What a load client says on the wire. The load generator drives chatctl nodes and, so that figures
// can be compared in one run, the peers we measure ourselves against (a NATS server and an MQTT
// broker, both over WebSocket). A Dialect makes one Conversation per connection: it builds the
// outbound bytes and reads the inbound ones, keeping whatever state the protocol needs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "lib/result.h"

namespace chatctl::loadgen {

// What the server said, as the load generator needs it. Called on the connection's thread.
class ConversationEvents {
 public:
  virtual ~ConversationEvents() = default;
  virtual void OnGreeted() = 0;                                // the server accepted our greeting
  virtual void OnSubscribed() = 0;                             // the subscription is live
  virtual void OnPublishDone(std::uint64_t ref, bool ok) = 0;  // an ack, or an error, for one
  virtual void OnFlushed() = 0;                                // a flush marker was answered
  virtual void OnDelivery(std::string_view payload) = 0;       // a published payload arrived
  virtual void OnFailure(std::string_view why) = 0;            // the session cannot go on
  virtual void OnReply(std::string bytes) = 0;  // what the protocol makes us answer (a PONG)
};

class Conversation {
 public:
  virtual ~Conversation() = default;
  // The greeting sent right after the upgrade; `user` and `token` may be ignored.
  virtual std::string Greeting(const std::string& user, const std::string& token) = 0;
  virtual std::string Subscribe(const std::string& channel) = 0;
  // Appends one publish to a frame being built; `ref` comes back in OnPublishDone.
  virtual void AppendPublish(std::string& frame, const std::string& channel,
                             std::string_view payload, std::uint64_t ref) = 0;
  // Appends a marker the server answers once it has taken everything before it (OnFlushed). Only
  // for dialects without a per-publish ack.
  virtual void AppendFlush(std::string& frame) = 0;
  // One complete inbound WebSocket message.
  virtual void Feed(std::string_view message, ConversationEvents& events) = 0;
};

class Dialect {
 public:
  virtual ~Dialect() = default;
  virtual const char* name() const = 0;
  // The WebSocket subprotocol to ask for; nullptr for none.
  virtual const char* subprotocol() const = 0;
  virtual bool binary_frames() const = 0;
  // chatctl acks each publish. The others (NATS, MQTT at QoS 0) do not: the load generator puts a
  // flush marker after each batch, and its answer completes every publish sent before it.
  virtual bool acks_each_publish() const = 0;
  virtual std::unique_ptr<Conversation> NewConversation() const = 0;
};

// "chatctl", "nats" or "mqtt".
Result<std::unique_ptr<Dialect>> MakeDialect(std::string_view name);

}  // namespace chatctl::loadgen
