// Control events: accounts, rooms, moderation and message edits, as events of the cluster's log.
// They travel and persist like chat messages (lib/message.h with a `kind`), and every node folds
// them, in id order, into the same state (lib/state_tables.h): the smaller id wins a conflict
// (two nodes adding one user: the first add stands), and a later change overrides an earlier one.
//
// This file names the kinds and keys and builds the events; the records are the folded state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "lib/ids.h"
#include "lib/message.h"

namespace chatctl::control {

// Kinds. The key (Message::channel) names what a kind changes.
inline constexpr std::string_view kUserAdd = "user.add";          // @u {"hash","admin"}
inline constexpr std::string_view kUserPassword = "user.passwd";  // @u {"hash"}
inline constexpr std::string_view kUserDisable = "user.disable";  // @u {}
inline constexpr std::string_view kUserEnable = "user.enable";    // @u {}
inline constexpr std::string_view kUserDelete = "user.delete";    // @u {}
inline constexpr std::string_view kUserBan = "user.ban";          // @u {"until"} (0: no expiry)
inline constexpr std::string_view kUserUnban = "user.unban";      // @u {}
inline constexpr std::string_view kUserKick = "user.kick";        // @u {}   (no state)
inline constexpr std::string_view kRoomCreate = "room.create";    // #r {"private","topic","owner"}
inline constexpr std::string_view kRoomDelete = "room.delete";    // #r {}
inline constexpr std::string_view kRoomTopic = "room.topic";      // #r {"topic"}
inline constexpr std::string_view kRoomMember = "room.member";    // #r {"user","role"} (none: out)
inline constexpr std::string_view kRoomBan = "room.ban";          // #r {"user","until"}
inline constexpr std::string_view kRoomUnban = "room.unban";      // #r {"user"}
inline constexpr std::string_view kRoomKick = "room.kick";        // #r {"user"}  (no state)
inline constexpr std::string_view kMsgEdit = "msg.edit";          // %id {"channel","text"}
inline constexpr std::string_view kMsgDelete = "msg.delete";      // %id {"channel"}
inline constexpr std::string_view kMsgReact = "msg.react";        // %id {"channel","emoji","on"}

bool IsKnownKind(std::string_view kind);
// "noun.verb" in [a-z.], at most 32 bytes: what a kind of any version looks like.
bool IsPlausibleKind(std::string_view kind);

std::string UserKey(std::string_view user);  // "@alice"
std::string RoomKey(std::string_view room);  // "#general"
std::string MessageKey(MessageId id);        // "%7262352354123776001"
// A key as the right kind expects it: well-formed names and ids only.
bool IsValidKey(std::string_view kind, std::string_view key);
std::string KeyName(std::string_view key);  // the name or id after the sigil

// Limits of the requests that make these events, whoever sends them (WebSocket or admin API).
inline constexpr std::size_t kMaxTopicChars = 256;
inline constexpr std::int64_t kMaxBanSeconds = 10LL * 366 * 86400;

// Roles in a room, weakest first. kNone is "not a member".
enum class Role { kNone, kMember, kAdmin, kOwner };
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

// An event ready for the store writer: origin and seq are set at commit.
Message MakeEvent(std::string_view kind, std::string key, std::string actor, std::string args_json,
                  MessageId id, std::uint32_t origin);

// --- Folded state -------------------------------------------------------------------------------

struct UserRecord {
  std::string name;
  bool account = false;  // has a password (user.add), so it can log in with one
  std::string hash;      // argon2id string (libsodium's crypto_pwhash_str); empty without account
  bool admin = false;
  bool disabled = false;
  bool deleted = false;
  std::optional<std::int64_t> ban_until;  // ms since the epoch; 0 = no expiry; none = not banned
  MessageId created_id = 0;               // the user.add that stands
  MessageId last_id = 0;                  // the newest event folded in
  // Tokens issued (`iat`) at or before this time (ms since the epoch) are refused: set by a
  // password change and by an account made anew under a deleted one's name. 0: none refused.
  std::int64_t tokens_after_ms = 0;
  bool Banned(std::int64_t now_ms) const {
    return ban_until && (*ban_until == 0 || *ban_until > now_ms);
  }
  // What the gateway must refuse at once: sessions closed, tokens not taken.
  bool Restricted(std::int64_t now_ms) const { return disabled || deleted || Banned(now_ms); }
};

struct RoomRecord {
  std::string name;
  bool exists = false;  // created and not deleted since
  bool is_private = false;
  std::string topic;
  std::string owner;
  MessageId history_floor = 0;  // a delete hides every message up to its id
  std::map<std::string, Role> members;
  std::map<std::string, std::int64_t> bans;  // user -> until (0: no expiry)
  MessageId last_id = 0;
  Role RoleOf(const std::string& user) const {
    auto it = members.find(user);
    return it == members.end() ? Role::kNone : it->second;
  }
  bool BannedHere(const std::string& user, std::int64_t now_ms) const {
    auto it = bans.find(user);
    return it != bans.end() && (it->second == 0 || it->second > now_ms);
  }
};

// What edits, deletes and reactions made of one message.
struct MessageState {
  MessageId id = 0;
  std::string channel;
  std::optional<std::string> text;  // the latest edit
  std::int64_t edited_ts = 0;
  bool deleted = false;
  std::map<std::string, std::set<std::string>> reactions;  // emoji -> users
  MessageId last_id = 0;
};

// Reactions: one emoji or short word; no control characters, at most 32 bytes.
bool IsValidReaction(std::string_view emoji);

}  // namespace chatctl::control

namespace chatctl::control {

// The folds: one event applied to the state of what its key names. Pure; every node folds the
// same events in id order and so reaches the same state. Arguments a peer got wrong are ignored.
void FoldUser(UserRecord& user, const Message& event);
void FoldRoom(RoomRecord& room, const Message& event);
void FoldMessage(MessageState& state, const Message& event);

}  // namespace chatctl::control
