// Name checks for users, rooms and dm channels (lib/names.h), written out by hand: they run on
// every request, and the grammar is small enough that a regex engine would only add cost.
#include "lib/names.h"

#include <cstddef>

namespace chatctl {
namespace {

constexpr std::string_view kDmPrefix = "dm:";
constexpr std::size_t kMaxUserName = 32;
constexpr std::size_t kMaxRoomName = 64;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// [a-z0-9][a-z0-9_.-]{0,max-1}
bool IsValidName(std::string_view name, std::size_t max_length) {
  if (name.empty() || name.size() > max_length || !IsLowerAlnum(name[0])) return false;
  for (char c : name.substr(1)) {
    if (!IsLowerAlnum(c) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

}  // namespace

bool IsValidUserName(std::string_view name) { return IsValidName(name, kMaxUserName); }

bool IsValidRoomName(std::string_view name) { return IsValidName(name, kMaxRoomName); }

std::string DmChannel(std::string_view user_a, std::string_view user_b) {
  if (user_b < user_a) std::swap(user_a, user_b);
  std::string channel(kDmPrefix);
  channel.append(user_a).append(":").append(user_b);
  return channel;
}

std::optional<std::pair<std::string, std::string>> ParseDmChannel(std::string_view channel) {
  if (!IsDmChannel(channel)) return std::nullopt;
  std::string_view users = channel.substr(kDmPrefix.size());
  auto colon = users.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view a = users.substr(0, colon);
  std::string_view b = users.substr(colon + 1);
  // User names hold no ':', so a second one in `b` fails the name check.
  if (!IsValidUserName(a) || !IsValidUserName(b) || b < a) return std::nullopt;
  return std::make_pair(std::string(a), std::string(b));
}

// Only the prefix: rooms cannot contain ':', so anything starting "dm:" is meant as a dm channel,
// and access checks must treat a malformed one as private rather than as a public room.
bool IsDmChannel(std::string_view channel) {
  return channel.substr(0, kDmPrefix.size()) == kDmPrefix;
}

}  // namespace chatctl
