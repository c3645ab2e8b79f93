// An Outbound for unit tests: it records each line sent and each close asked for, by session.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "relay/sessions/outbound.h"

namespace chatctl::testing {

class RecordingOutbound final : public relay::Outbound {
 public:
  struct Sent {
    relay::SessionId session;
    relay::Line line;
  };
  struct Closed {
    relay::SessionId session;
    std::uint16_t code;
    std::string reason;
  };

  using Outbound::Send;
  void Send(relay::Session& s, relay::Line line) override { sent.push_back({s.id, line}); }
  void Close(relay::Session& s, std::uint16_t code, std::string reason, bool) override {
    closed.push_back({s.id, code, reason});
  }

  // The texts `id` received, in order.
  std::vector<std::string> TextsTo(relay::SessionId id) const {
    std::vector<std::string> texts;
    for (const auto& s : sent) {
      if (s.session == id) texts.push_back(*s.line);
    }
    return texts;
  }

  std::vector<Sent> sent;
  std::vector<Closed> closed;
};

}  // namespace chatctl::testing
