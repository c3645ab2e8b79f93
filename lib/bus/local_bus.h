// The bus of a node alone: nothing to publish to, nothing to receive. `chatctl serve` with no mesh.
#pragma once

#include "lib/bus/bus.h"

namespace chatctl::bus {

class LocalBus final : public Bus {
 public:
  Status Start(Handlers handlers) override {
    handlers.view(ClusterView{});
    return Ok{};
  }
  void Publish(std::vector<Message>) override {}
  void SetPresence(PresenceMap) override {}
  void Stop() override {}
};

}  // namespace chatctl::bus
