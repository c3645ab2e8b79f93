// What only clients need of the protocol: reading a node's `msg` object back into a Message. The
// node never parses its own replies; the requests clients write are plain JSON built where sent.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "lib/message.h"

namespace chatctl::protocol {

// nullopt for anything that is not a well-formed `msg` (wrong type, missing or mistyped field, an
// id that is not digits): a client skips it rather than failing. `origin` and `seq` are the
// node's when it sent them, else origin is the id's node and seq 0 (unknown).
std::optional<Message> MessageFromJson(const nlohmann::json& j);

}  // namespace chatctl::protocol
