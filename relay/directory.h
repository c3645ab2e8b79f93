// What the gateway must know at once to refuse or admit a request: the rooms that were created or
// touched (kind, members, bans, a deleted room's history floor), the users that are disabled,
// deleted or banned, and the time before which a user's tokens are refused (a password change). A
// copy of the store's folded state (lib/state_tables.h), loaded at start and replaced entry by
// entry from what each commit folded. Owned by the gateway thread.
//
// Users in good standing are not held (a million accounts would cost memory for nothing): their
// records are read from the store where a password is checked.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "lib/control.h"
#include "lib/result.h"
#include "lib/store.h"

namespace chatctl::relay {

class Directory {
 public:
  Status Load(Store& store);
  void Put(const control::UserRecord& user);
  void Put(const control::RoomRecord& room);

  // nullptr when the room is an ordinary public room no event has touched.
  const control::RoomRecord* Room(const std::string& name) const;
  std::size_t room_count() const { return rooms_.size(); }
  const std::unordered_map<std::string, control::RoomRecord>& rooms() const { return rooms_; }
  const std::unordered_map<std::string, control::UserRecord>& restricted() const {
    return restricted_;
  }

  // Whether `user` may log in or stay connected now: unauthorized for a deleted user, forbidden
  // for a disabled or banned one.
  Status CheckUser(const std::string& user, std::int64_t now_ms) const;
  // Whether a token of `user` issued at `issued_ms` (its `iat`) is still good: unauthorized when
  // it is from before the user's password changed.
  Status CheckToken(const std::string& user, std::int64_t issued_ms) const;
  // Whether `user` may join, read or send in a room: forbidden when it is private and the user
  // not a member, or the user is banned there. Cluster admins pass.
  Status CheckRoom(const std::string& room, const std::string& user, bool admin,
                   std::int64_t now_ms) const;
  control::Role RoleIn(const std::string& room, const std::string& user) const;
  MessageId HistoryFloor(const std::string& room) const;

 private:
  std::unordered_map<std::string, control::UserRecord> restricted_;
  std::unordered_map<std::string, std::int64_t> tokens_after_ms_;
  std::unordered_map<std::string, control::RoomRecord> rooms_;
};

}  // namespace chatctl::relay
