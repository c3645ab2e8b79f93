// Names on the wire: users, rooms and direct-message channels (PROTOCOL.md "Channels").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace chatctl {

bool IsValidUserName(std::string_view name);  // [a-z0-9][a-z0-9_.-]{0,31}
bool IsValidRoomName(std::string_view name);  // [a-z0-9][a-z0-9_.-]{0,63}

// "dm:A:B" with A and B sorted.
std::string DmChannel(std::string_view user_a, std::string_view user_b);
// The two users of a well-formed, sorted dm channel; nullopt for anything else.
std::optional<std::pair<std::string, std::string>> ParseDmChannel(std::string_view channel);
bool IsDmChannel(std::string_view channel);

}  // namespace chatctl
