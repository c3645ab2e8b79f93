// A Bus for unit tests: it records what the node hands it (published events, presence) and lets
// the test play the cluster's part through the handlers it was started with.
#pragma once

#include <vector>

#include "lib/bus/bus.h"

namespace chatctl::testing {

class FakeBus final : public bus::Bus {
 public:
  Status Start(bus::Handlers handlers) override {
    handlers_ = std::move(handlers);
    started = true;
    return Ok{};
  }
  void Publish(std::vector<Message> events) override {
    for (auto& e : events) published.push_back(std::move(e));
  }
  void SetPresence(bus::PresenceMap presence) override { presence_sent.push_back(presence); }
  void Stop() override { started = false; }

  const bus::Handlers& handlers() const { return handlers_; }

  bool started = false;
  std::vector<Message> published;
  std::vector<bus::PresenceMap> presence_sent;  // each SetPresence, whole

 private:
  bus::Handlers handlers_;
};

}  // namespace chatctl::testing
