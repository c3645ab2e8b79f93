// The dialects there are (dialect.h); MakeDialect picks one by name.
#pragma once

#include <memory>

#include "loadgen/dialect.h"

namespace chatctl::loadgen {

std::unique_ptr<Dialect> MakeChatctlDialect();
std::unique_ptr<Dialect> MakeNatsDialect();
std::unique_ptr<Dialect> MakeMqttDialect();

}  // namespace chatctl::loadgen
