#include "loadgen/dialect.h"

#include "loadgen/dialects.h"

namespace chatctl::loadgen {

Result<std::unique_ptr<Dialect>> MakeDialect(std::string_view name) {
  if (name == "chatctl") return MakeChatctlDialect();
  if (name == "nats") return MakeNatsDialect();
  if (name == "mqtt") return MakeMqttDialect();
  return Error{"bad_request",
               "unknown protocol \"" + std::string(name) + "\" (chatctl, nats, mqtt)"};
}

}  // namespace chatctl::loadgen
