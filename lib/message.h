// A chat message as the store keeps it and the protocol shows it.
#pragma once

#include <cstdint>
#include <string>

#include "lib/ids.h"

namespace chatctl {

struct Message {
  MessageId id = 0;
  std::string channel;
  std::string from;
  std::string text;
  std::int64_t ts = 0;       // ms since the Unix epoch, set by the accepting node
  std::uint32_t origin = 0;  // node id that accepted it
  std::uint64_t seq = 0;     // the origin's event sequence number, 1, 2, 3 ... with no holes
};

}  // namespace chatctl
