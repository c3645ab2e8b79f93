// How node replies are built (lib/protocol.cpp, lib/protocol_control.cpp): an ordered object that
// starts with "type" and the echoed "ref", dumped compact with bad UTF-8 replaced. Internal to
// lib/.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace chatctl::protocol::detail {

inline std::string Dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// Appends `text` as a JSON string, quotes included, byte for byte as Dump would write it (bad
// UTF-8 replaced with U+FFFD), without building a json value: the hot path's one string that
// needs escaping is a message's text.
void AppendJsonString(std::string& out, std::string_view text);

inline nlohmann::ordered_json Start(std::string_view type, const nlohmann::json& ref) {
  nlohmann::ordered_json j;
  j["type"] = type;
  if (!ref.is_null()) j["ref"] = nlohmann::ordered_json(ref);
  return j;
}

}  // namespace chatctl::protocol::detail
