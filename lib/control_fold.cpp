// The folds of control events into state (see control.h). Each event's arguments come from a node
// of the cluster and were checked there; they are read defensively all the same: a field of the
// wrong type reads as absent, never throws.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "lib/control.h"

namespace chatctl::control {
namespace {

using nlohmann::json;

json Args(const Message& event) {
  json j = json::parse(event.text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : json::object();
}

std::string String(const json& args, const char* key) {
  auto it = args.find(key);
  return it != args.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool Bool(const json& args, const char* key) {
  auto it = args.find(key);
  return it != args.end() && it->is_boolean() && it->get<bool>();
}

std::int64_t Int(const json& args, const char* key) {
  auto it = args.find(key);
  return it != args.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

}  // namespace

void FoldUser(UserRecord& user, const Message& event) {
  json args = Args(event);
  const std::string& kind = event.kind;
  if (kind == kUserAdd) {
    // The first add stands: a second one (another node's, made at the same time) changes nothing.
    if (!user.account || user.deleted) {
      // The name's tokens from before were the deleted account's: none of them is this one's.
      if (user.deleted) user.tokens_after_ms = std::max(user.tokens_after_ms, event.ts);
      user.account = true;
      user.deleted = false;
      user.disabled = false;
      user.hash = String(args, "hash");
      user.admin = Bool(args, "admin");
      user.created_id = event.id;
    }
  } else if (kind == kUserPassword) {
    if (user.account && !user.deleted) {
      user.hash = String(args, "hash");
      // A changed password is often a leaked one: the tokens it was given go with it.
      user.tokens_after_ms = std::max(user.tokens_after_ms, event.ts);
    }
  } else if (kind == kUserDisable) {
    user.disabled = true;
  } else if (kind == kUserEnable) {
    user.disabled = false;
  } else if (kind == kUserDelete) {
    user.deleted = true;
    user.account = false;
    user.hash.clear();
    user.admin = false;
    user.disabled = false;
  } else if (kind == kUserBan) {
    user.ban_until = std::max<std::int64_t>(0, Int(args, "until"));
  } else if (kind == kUserUnban) {
    user.ban_until.reset();
  }
  user.last_id = std::max(user.last_id, event.id);
}

void FoldRoom(RoomRecord& room, const Message& event) {
  json args = Args(event);
  const std::string& kind = event.kind;
  if (kind == kRoomCreate) {
    if (!room.exists) {  // the first create stands
      room.exists = true;
      room.is_private = Bool(args, "private");
      room.topic = String(args, "topic");
      room.owner = String(args, "owner");
      if (room.owner.empty()) room.owner = event.from;
      room.members.clear();
      room.members[room.owner] = Role::kOwner;
    }
  } else if (kind == kRoomDelete) {
    room.exists = false;
    room.is_private = false;
    room.topic.clear();
    room.owner.clear();
    room.members.clear();
    room.bans.clear();
    room.history_floor = std::max(room.history_floor, event.id);
  } else if (kind == kRoomTopic) {
    room.topic = String(args, "topic");
  } else if (kind == kRoomMember) {
    std::string user = String(args, "user");
    auto role = ParseRole(String(args, "role"));
    if (!user.empty() && role) {
      if (*role == Role::kNone) {
        room.members.erase(user);
      } else {
        room.members[user] = *role;
      }
    }
  } else if (kind == kRoomBan) {
    std::string user = String(args, "user");
    if (!user.empty()) room.bans[user] = std::max<std::int64_t>(0, Int(args, "until"));
  } else if (kind == kRoomUnban) {
    room.bans.erase(String(args, "user"));
  }
  room.last_id = std::max(room.last_id, event.id);
}

void FoldMessage(MessageState& state, const Message& event) {
  json args = Args(event);
  if (state.channel.empty()) state.channel = String(args, "channel");
  const std::string& kind = event.kind;
  if (kind == kMsgEdit) {
    if (!state.deleted) {
      state.text = String(args, "text");
      state.edited_ts = event.ts;
    }
  } else if (kind == kMsgDelete) {
    state.deleted = true;
    state.text = std::string();
    state.reactions.clear();
  } else if (kind == kMsgReact) {
    std::string emoji = String(args, "emoji");
    if (!state.deleted && IsValidReaction(emoji)) {
      if (Bool(args, "on")) {
        state.reactions[emoji].insert(event.from);
      } else if (auto it = state.reactions.find(emoji); it != state.reactions.end()) {
        it->second.erase(event.from);
        if (it->second.empty()) state.reactions.erase(it);
      }
    }
  }
  state.last_id = std::max(state.last_id, event.id);
}

}  // namespace chatctl::control
