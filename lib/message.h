// An event of the cluster's log as the store keeps it: a chat message (kind empty), or a change to
// users, rooms or messages (lib/control.h), which replicates exactly like a message.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "lib/ids.h"

namespace chatctl {

namespace control {
struct MessageState;  // lib/control.h
}

struct Message {
  MessageId id = 0;
  std::string channel;
  std::string from;
  std::string text;
  std::int64_t ts = 0;       // ms since the Unix epoch, set by the accepting node
  std::uint32_t origin = 0;  // node id that accepted it
  std::uint64_t seq = 0;     // the origin's event sequence number, 1, 2, 3 ... with no holes
  // "" for a chat message. Otherwise a control event: `channel` holds the key of what it changes
  // ("@user", "#room", "%message id"), `from` who did it, and `text` its arguments as JSON.
  std::string kind;
  bool is_control() const { return !kind.empty(); }
  // Read from the store only: what edits, deletes and reactions made of this message, if any.
  std::shared_ptr<const control::MessageState> state;
};

}  // namespace chatctl
