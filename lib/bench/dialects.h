// The dialects there are (dialect.h); MakeDialect picks one by name.
#pragma once

#include <memory>

#include "lib/bench/dialect.h"

namespace chatctl::bench {

std::unique_ptr<Dialect> MakeChatctlDialect();
std::unique_ptr<Dialect> MakeNatsDialect();
std::unique_ptr<Dialect> MakeMqttDialect();

}  // namespace chatctl::bench
