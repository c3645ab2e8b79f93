// The gateway's copy of rooms and restricted users (see directory.h).
#include "relay/directory.h"

#include "lib/state_tables.h"

namespace chatctl::relay {

Status Directory::Load(Store& store) {
  auto users = store.state().RestrictedUsers();
  if (!users.ok()) return users.error();
  for (const auto& u : *users) Put(u);
  auto rooms = store.state().Rooms();
  if (!rooms.ok()) return rooms.error();
  for (const auto& r : *rooms) Put(r);
  return Ok{};
}

void Directory::Put(const control::UserRecord& user) {
  // A ban that has expired still counts as a restriction here: keeping the record costs little,
  // and the check compares with the clock.
  if (user.disabled || user.deleted || user.ban_until) {
    restricted_[user.name] = user;
  } else {
    restricted_.erase(user.name);
  }
  if (user.tokens_after_ms != 0) tokens_after_ms_[user.name] = user.tokens_after_ms;
}

void Directory::Put(const control::RoomRecord& room) { rooms_[room.name] = room; }

const control::RoomRecord* Directory::Room(const std::string& name) const {
  auto it = rooms_.find(name);
  return it == rooms_.end() ? nullptr : &it->second;
}

Status Directory::CheckUser(const std::string& user, std::int64_t now_ms) const {
  auto it = restricted_.find(user);
  if (it == restricted_.end()) return Ok{};
  const control::UserRecord& u = it->second;
  if (u.deleted) return Error{"unauthorized", "user '" + user + "' was deleted"};
  if (u.disabled) return Error{"forbidden", "user '" + user + "' is disabled"};
  if (u.Banned(now_ms)) {
    return Error{"forbidden", *u.ban_until == 0
                                  ? "user '" + user + "' is banned"
                                  : "user '" + user + "' is banned until " +
                                        std::to_string(*u.ban_until / 1000) + " (Unix time)"};
  }
  return Ok{};
}

Status Directory::CheckToken(const std::string& user, std::int64_t issued_ms) const {
  auto it = tokens_after_ms_.find(user);
  // A token without milliseconds in its `iat` (an older release's) counts from the start of its
  // second: one of the change's own second may be from before it, so it goes too.
  if (it == tokens_after_ms_.end() || issued_ms > it->second) return Ok{};
  return Error{"unauthorized",
               "token issued before the password of '" + user + "' was changed; log in again"};
}

Status Directory::CheckRoom(const std::string& room, const std::string& user, bool admin,
                            std::int64_t now_ms) const {
  const control::RoomRecord* r = Room(room);
  if (r == nullptr || admin) return Ok{};
  if (r->BannedHere(user, now_ms)) {
    return Error{"forbidden", "banned from channel '" + room + "'"};
  }
  if (r->exists && r->is_private && r->RoleOf(user) == control::Role::kNone) {
    return Error{"forbidden", "not a member of channel '" + room + "'"};
  }
  return Ok{};
}

control::Role Directory::RoleIn(const std::string& room, const std::string& user) const {
  const control::RoomRecord* r = Room(room);
  return r == nullptr ? control::Role::kNone : r->RoleOf(user);
}

MessageId Directory::HistoryFloor(const std::string& room) const {
  const control::RoomRecord* r = Room(room);
  return r == nullptr ? 0 : r->history_floor;
}

}  // namespace chatctl::relay
