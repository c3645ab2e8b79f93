// Control event kinds, keys and roles (see control.h).
#include "lib/control.h"

#include <array>

#include "lib/names.h"

namespace chatctl::control {
namespace {

constexpr std::array kKinds = {kUserAdd,   kUserPassword, kUserDisable, kUserEnable, kUserDelete,
                               kUserBan,   kUserUnban,    kUserKick,    kRoomCreate, kRoomDelete,
                               kRoomTopic, kRoomMember,   kRoomBan,     kRoomUnban,  kRoomKick,
                               kMsgEdit,   kMsgDelete,    kMsgReact};

}  // namespace

bool IsKnownKind(std::string_view kind) {
  for (auto k : kKinds) {
    if (k == kind) return true;
  }
  return false;
}

bool IsPlausibleKind(std::string_view kind) {
  if (kind.size() < 3 || kind.size() > 32 || kind.find('.') == std::string_view::npos) return false;
  for (char c : kind) {
    if ((c < 'a' || c > 'z') && c != '.') return false;
  }
  return true;
}

std::string UserKey(std::string_view user) { return "@" + std::string(user); }
std::string RoomKey(std::string_view room) { return "#" + std::string(room); }
std::string MessageKey(MessageId id) { return "%" + std::to_string(id); }

std::string KeyName(std::string_view key) {
  return key.empty() ? std::string() : std::string(key.substr(1));
}

bool IsValidKey(std::string_view kind, std::string_view key) {
  if (key.size() < 2) return false;
  std::string_view name = key.substr(1);
  if (kind.rfind("user.", 0) == 0) return key[0] == '@' && IsValidUserName(name);
  if (kind.rfind("room.", 0) == 0) return key[0] == '#' && IsValidRoomName(name);
  if (kind.rfind("msg.", 0) == 0) return key[0] == '%' && ParseId(name).has_value();
  return false;
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kMember:
      return "member";
    case Role::kAdmin:
      return "admin";
    case Role::kOwner:
      return "owner";
    case Role::kNone:
      break;
  }
  return "none";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kNone, Role::kMember, Role::kAdmin, Role::kOwner}) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

Message MakeEvent(std::string_view kind, std::string key, std::string actor, std::string args_json,
                  MessageId id, std::uint32_t origin) {
  Message m;
  m.id = id;
  m.ts = IdTimestampMs(id);
  m.kind = std::string(kind);
  m.channel = std::move(key);
  m.from = std::move(actor);
  m.text = std::move(args_json);
  m.origin = origin;
  return m;
}

bool IsValidReaction(std::string_view emoji) {
  if (emoji.empty() || emoji.size() > 32) return false;
  for (unsigned char c : emoji) {
    if (c < 0x20 || c == 0x7f || c == ' ') return false;
  }
  return true;
}

}  // namespace chatctl::control
