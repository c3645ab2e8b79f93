// The gateway's side of accounts, rooms and moderation: password logins and sign-up (checked on
// the password worker), room and message requests (checked against the directory, and against the
// store through the query worker where a message's author matters), and what a durable control
// event changes for this node's sessions. Runs on the gateway thread, like gateway.cpp.
#include <libwebsockets.h>

#include <chrono>

#include "lib/auth/jwt.h"
#include "lib/auth/password.h"
#include "lib/log.h"
#include "lib/names.h"
#include "lib/state_tables.h"
#include "relay/gateway.h"
#include "relay/store_writer.h"
#include "relay/worker.h"

namespace chatctl::relay {
namespace {

using control::Role;
using nlohmann::json;

// A password login hands back a token good for this long (PROTOCOL.md: "a fresh token").
constexpr std::int64_t kLoginTokenSeconds = 24 * 3600;
// Failed logins one address may have: 10 at once, then one every 5 seconds.
constexpr double kFailedLoginsPerSecond = 0.2;
constexpr double kFailedLoginBurst = 10;

// Checked in place of a missing account's hash, so a wrong user name costs the same time as a
// wrong password and the answer's delay tells nobody who has an account. Worker thread only.
const std::string& DecoyHash() {
  static const std::string hash = HashPassword("decoy-password-never-used").value();
  return hash;
}

std::uint16_t CloseCodeFor(const Error& refused) {
  return refused.code == "unauthorized" ? protocol::kCloseUnauthorized : protocol::kCloseKicked;
}

}  // namespace

bool Gateway::Errand(Worker& worker, std::function<std::function<void()>(Store&)> job) {
  return worker.Submit(std::move(job));
}

bool Gateway::SubmitControl(
    Message event, std::function<void(const WriteJob&, const std::optional<Error>&)> done) {
  if (draining_) return false;
  FlushWrites();  // the frame's sends before it, in the order they came
  WriteJob job;
  job.message = std::move(event);
  job.done = std::move(done);
  if (!writer_->Submit(std::move(job))) return false;
  ++writes_in_flight_;
  return true;
}

// --- logins -----------------------------------------------------------------------------------

void Gateway::Welcome(Session& s, const std::string& user, bool admin, bool with_token) {
  s.user = user;
  s.admin = admin;
  user_index_[user].emplace(s.id, &s);
  std::optional<std::string> token;
  if (with_token && config_.secret) {
    TokenClaims claims;
    claims.sub = user;
    claims.IssuedAt(NowMs());
    claims.exp = claims.iat + kLoginTokenSeconds;
    claims.admin = admin;
    token = MintToken(claims, *config_.secret);
  }
  SendText(s, protocol::Welcome(user, "n" + std::to_string(config_.node_id), NowMs(), token));
}

void Gateway::HandlePasswordHello(Session& s, const protocol::Ref& ref, const std::string& user,
                                  const std::string& password) {
  if (!IsValidUserName(user)) {
    CloseSession(s, protocol::kCloseUnauthorized, "wrong user name or password");
    return;
  }
  if (auto refused = directory_.RefuseUser(user, NowMs())) {
    CloseSession(s, CloseCodeFor(*refused), refused->message);
    return;
  }
  auto budget = failed_logins_.try_emplace(s.peer, kFailedLoginsPerSecond, kFailedLoginBurst);
  if (!budget.first->second.Peek(NowMs())) {
    ++stats_.logins_throttled;
    CloseSession(s, protocol::kCloseRateLimited,
                 "too many failed logins from this address; try again later");
    return;
  }
  s.login_pending = true;
  SessionId id = s.id;
  std::string peer = s.peer;
  bool queued = Errand(*passwords_, [this, id, peer, user, password](Store& store) {
    auto found = store.state().User(user);
    bool account = found.ok() && found->has_value() && (*found)->account && !(*found)->deleted;
    bool ok = VerifyPassword(password, account ? (*found)->hash : DecoyHash()) && account;
    bool admin = ok && (*found)->admin;
    return std::function<void()>([this, id, peer, user, ok, admin] {
      if (!ok) {
        ++stats_.logins_failed;
        failed_logins_.try_emplace(peer, kFailedLoginsPerSecond, kFailedLoginBurst)
            .first->second.Take(NowMs());
      }
      Session* session = FindSession(id);
      if (session == nullptr || session->closing()) return;
      session->login_pending = false;
      if (!ok) {
        log::Info("login refused", {{"user", user}, {"peer", peer}});
        CloseSession(*session, protocol::kCloseUnauthorized, "wrong user name or password");
        return;
      }
      // Disabled or banned while the password was being checked.
      if (auto refused = directory_.RefuseUser(user, NowMs())) {
        CloseSession(*session, CloseCodeFor(*refused), refused->message);
        return;
      }
      ++stats_.logins;
      Welcome(*session, user, admin, /*with_token=*/true);
    });
  });
  if (!queued) {
    s.login_pending = false;
    SendText(s, protocol::ErrorReply(ref, "unavailable", "too many logins at once; try again"));
  }
}

void Gateway::HandleRegister(Session& s, const protocol::Ref& ref, const protocol::Register& r) {
  if (s.authenticated() || s.login_pending) {
    SendText(s, protocol::ErrorReply(ref, "conflict", "already logged in, or logging in"));
    return;
  }
  if (!config_.allow_register) {
    SendText(s,
             protocol::ErrorReply(ref, "forbidden",
                                  "sign-up is off on this node; ask an operator for an account"));
    return;
  }
  if (Status rules = CheckPasswordRules(r.password); !rules.ok()) {
    SendText(s, protocol::ErrorReply(ref, rules.error().code, rules.error().message));
    return;
  }
  if (auto refused = directory_.RefuseUser(r.user, NowMs())) {
    SendText(s, protocol::ErrorReply(ref, "forbidden", refused->message));
    return;
  }
  s.login_pending = true;
  SessionId id = s.id;
  std::string user = r.user;
  bool queued = Errand(*passwords_, [this, id, ref, user, password = r.password](Store& store) {
    auto found = store.state().User(user);
    bool taken = !found.ok() || (found->has_value() && (*found)->account && !(*found)->deleted);
    auto hash = taken ? Result<std::string>(Error{"conflict", ""}) : HashPassword(password);
    return std::function<void()>([this, id, ref, user, taken, hash] {
      Session* session = FindSession(id);
      if (session == nullptr || session->closing()) return;
      auto fail = [&](const std::string& code, const std::string& message) {
        session->login_pending = false;
        SendText(*session, protocol::ErrorReply(ref, code, message));
      };
      if (taken) return fail("conflict", "user '" + user + "' exists");
      if (!hash.ok()) return fail(hash.error().code, hash.error().message);
      json args = {{"hash", *hash}, {"admin", false}};
      Message event = control::MakeEvent(control::kUserAdd, control::UserKey(user), user,
                                         args.dump(), ids_.Next(), config_.node_id);
      bool submitted = SubmitControl(
          std::move(event),
          [this, id, ref, user](const WriteJob& job, const std::optional<Error>& error) {
            Session* again = FindSession(id);
            if (again == nullptr || again->closing()) return;
            again->login_pending = false;
            if (error) {
              SendText(*again, protocol::ErrorReply(ref, "unavailable", error->message));
            } else if (!job.user_after || job.user_after->created_id != job.message.id) {
              // Another node's sign-up for the same name came first.
              SendText(*again, protocol::ErrorReply(ref, "conflict", "user '" + user + "' exists"));
            } else {
              log::Info("user signed up", {{"user", user}});
              ++stats_.logins;
              Welcome(*again, user, /*admin=*/false, /*with_token=*/true);
            }
          });
      if (!submitted) fail("unavailable", "store queue full; try again");
    });
  });
  if (!queued) {
    s.login_pending = false;
    SendText(s, protocol::ErrorReply(ref, "unavailable", "too many sign-ups at once; try again"));
  }
}

// --- rooms and moderation ---------------------------------------------------------------------

std::optional<Error> Gateway::RefuseModeration(const Session& s, const protocol::RoomOp& op) const {
  if (s.admin) return std::nullopt;  // a cluster administrator may do anything
  if (op.channel.empty()) {
    return Error{"forbidden", "a cluster-wide " + op.op + " needs an administrator's token"};
  }
  Role mine = directory_.RoleIn(op.channel, s.user);
  if (mine < Role::kAdmin) {
    return Error{"forbidden", op.op + " in '" + op.channel + "' needs the admin or owner role"};
  }
  // Admins manage members; only the owner makes or unmakes admins and owners.
  bool touches_staff = directory_.RoleIn(op.channel, op.user) >= Role::kAdmin ||
                       (op.op == "invite" && op.role && *op.role != "member");
  if (touches_staff && mine < Role::kOwner && op.user != s.user) {
    return Error{"forbidden", "only the owner of '" + op.channel + "' manages its admins"};
  }
  return std::nullopt;
}

void Gateway::HandleRoomOp(Session& s, const protocol::Ref& ref, const protocol::RoomOp& op) {
  const control::RoomRecord* room = op.channel.empty() ? nullptr : directory_.Room(op.channel);
  bool created = room != nullptr && room->exists;
  auto answer_error = [this, &s, &ref](const std::string& code, const std::string& message) {
    SendText(s, protocol::ErrorReply(ref, code, message));
  };
  if (op.op == "room") {
    if (auto refused = RefuseAccess(s, op.channel)) {
      return answer_error(refused->code, refused->message);
    }
    SendText(s, protocol::RoomReply(ref, op.channel, room, s.user));
    return;
  }

  SessionId id = s.id;
  std::string by = s.user;
  // Once the event is durable: `ok` to the asker, or why not.
  auto reply = [this, id, ref](json fields) {
    return [this, id, ref, fields](const WriteJob&, const std::optional<Error>& error) {
      Session* asker = FindSession(id);
      if (asker == nullptr) return;
      if (error) {
        SendText(*asker, protocol::ErrorReply(ref, "unavailable", error->message));
      } else {
        SendText(*asker, protocol::OkReply(ref, fields));
      }
    };
  };
  auto submit = [&](std::string_view kind, std::string key, json args, json fields) {
    Message event =
        control::MakeEvent(kind, std::move(key), by, args.dump(), ids_.Next(), config_.node_id);
    if (!SubmitControl(std::move(event), reply(std::move(fields)))) {
      answer_error("unavailable", "store queue full or node shutting down; try again");
    }
  };

  if (op.op == "create") {
    if (created) return answer_error("conflict", "channel '" + op.channel + "' exists");
    if (auto refused = directory_.RefuseRoom(op.channel, s.user, s.admin, NowMs())) {
      return answer_error(refused->code, refused->message);
    }
    // A room that already has messages belongs to everyone who wrote there: only an administrator
    // may turn it into a created (possibly private) room.
    bool admin = s.admin;
    std::string channel = op.channel;
    json args = {{"private", op.is_private}, {"topic", op.topic.value_or("")}, {"owner", by}};
    bool queued = Errand(*queries_, [this, id, ref, admin, channel, by, args](Store& store) {
      auto summary = store.state().Channel(channel);
      bool used = !summary.ok() || summary->messages > 0;
      return std::function<void()>([this, id, ref, admin, channel, by, args, used] {
        Session* asker = FindSession(id);
        if (asker == nullptr) return;
        if (used && !admin) {
          SendText(*asker, protocol::ErrorReply(ref, "conflict",
                                                "channel '" + channel +
                                                    "' has messages already; an administrator "
                                                    "may create it"));
          return;
        }
        Message event = control::MakeEvent(control::kRoomCreate, control::RoomKey(channel), by,
                                           args.dump(), ids_.Next(), config_.node_id);
        bool submitted = SubmitControl(
            std::move(event),
            [this, id, ref, channel, by](const WriteJob& job, const std::optional<Error>& error) {
              Session* again = FindSession(id);
              if (again == nullptr) return;
              if (error) {
                SendText(*again, protocol::ErrorReply(ref, "unavailable", error->message));
              } else if (!job.room_after || job.room_after->owner != by) {
                SendText(*again,
                         protocol::ErrorReply(ref, "conflict", "channel '" + channel + "' exists"));
              } else {
                SendText(*again,
                         protocol::OkReply(ref, protocol::RoomObject(channel, &*job.room_after)));
              }
            });
        if (!submitted) {
          SendText(*asker, protocol::ErrorReply(ref, "unavailable", "store queue full; try again"));
        }
      });
    });
    if (!queued) answer_error("unavailable", "node busy; try again");
    return;
  }

  if (auto refused = RefuseModeration(s, op)) return answer_error(refused->code, refused->message);
  std::string key = op.channel.empty() ? control::UserKey(op.user) : control::RoomKey(op.channel);
  json fields = {{"op", op.op}, {"channel", op.channel}};
  if (!op.user.empty()) fields["user"] = op.user;

  if (op.op == "topic") {
    fields["topic"] = *op.topic;
    return submit(control::kRoomTopic, key, {{"topic", *op.topic}}, fields);
  }
  if (op.op == "invite" || op.op == "remove") {
    if (!created) {
      return answer_error("not_found", "channel '" + op.channel + "' was not created; create it");
    }
    std::string role = op.op == "remove" ? "none" : op.role.value_or("member");
    if (op.op == "remove" && room->RoleOf(op.user) == Role::kNone) {
      return answer_error("not_found", "'" + op.user + "' is not a member of '" + op.channel + "'");
    }
    fields["role"] = role;
    return submit(control::kRoomMember, key, {{"user", op.user}, {"role", role}}, fields);
  }
  if (op.op == "kick") {
    if (op.channel.empty()) return submit(control::kUserKick, key, json::object(), fields);
    return submit(control::kRoomKick, key, {{"user", op.user}}, fields);
  }
  if (op.op == "ban") {
    std::int64_t until = op.seconds ? NowMs() + *op.seconds * 1000 : 0;
    fields["until"] = until;
    if (op.channel.empty()) return submit(control::kUserBan, key, {{"until", until}}, fields);
    return submit(control::kRoomBan, key, {{"user", op.user}, {"until", until}}, fields);
  }
  if (op.op == "unban") {
    if (op.channel.empty()) return submit(control::kUserUnban, key, json::object(), fields);
    return submit(control::kRoomUnban, key, {{"user", op.user}}, fields);
  }
  answer_error("bad_request", "unknown request '" + op.op + "'");
}

void Gateway::HandleMessageOp(Session& s, const protocol::Ref& ref, const protocol::MessageOp& op) {
  if (auto refused = RefuseAccess(s, op.channel)) {
    SendText(s, protocol::ErrorReply(ref, refused->code, refused->message));
    return;
  }
  SessionId id = s.id;
  // Whether the asker may change the message depends on who wrote it: read it first.
  bool queued = Errand(*queries_, [this, id, ref, op](Store& store) {
    auto found = store.Get(op.id);
    std::optional<Message> message;
    if (found.ok()) message = std::move(*found);
    return std::function<void()>([this, id, ref, op, message] {
      Session* asker_session = FindSession(id);
      if (asker_session == nullptr) return;
      Session& me = *asker_session;
      auto fail = [&](const std::string& code, const std::string& text) {
        SendText(me, protocol::ErrorReply(ref, code, text));
      };
      if (!message || message->is_control() || message->channel != op.channel ||
          message->id <= directory_.HistoryFloor(op.channel)) {
        return fail("not_found",
                    "no message " + IdToString(op.id) + " in channel '" + op.channel + "'");
      }
      if (message->state && message->state->deleted) {
        return fail("not_found", "message " + IdToString(op.id) + " was deleted");
      }
      bool author = message->from == me.user;
      bool moderator = me.admin || (!IsDmChannel(op.channel) &&
                                    directory_.RoleIn(op.channel, me.user) >= Role::kAdmin);
      json args = {{"channel", op.channel}};
      std::string_view kind;
      if (op.op == "edit") {
        if (!author && !moderator)
          return fail("forbidden", "only its author or a room admin edits a message");
        kind = control::kMsgEdit;
        args["text"] = op.text;
      } else if (op.op == "delete") {
        if (!author && !moderator)
          return fail("forbidden", "only its author or a room admin deletes a message");
        kind = control::kMsgDelete;
      } else {
        kind = control::kMsgReact;
        args["emoji"] = op.emoji;
        args["on"] = op.op == "react";
      }
      Message event = control::MakeEvent(kind, control::MessageKey(op.id), me.user, args.dump(),
                                         ids_.Next(), config_.node_id);
      json fields = {{"op", op.op}, {"channel", op.channel}, {"id", IdToString(op.id)}};
      bool submitted = SubmitControl(
          std::move(event),
          [this, id, ref, fields](const WriteJob&, const std::optional<Error>& error) {
            Session* asker = FindSession(id);
            if (asker == nullptr) return;
            SendText(*asker, error ? protocol::ErrorReply(ref, "unavailable", error->message)
                                   : protocol::OkReply(ref, fields));
          });
      if (!submitted) fail("unavailable", "store queue full; try again");
    });
  });
  if (!queued) SendText(s, protocol::ErrorReply(ref, "unavailable", "node busy; try again"));
}

// --- what a durable control event changes -----------------------------------------------------

void Gateway::SendToChannel(const std::string& channel, const Line& line) {
  if (auto users = ParseDmChannel(channel)) {
    for (const std::string* user : {&users->first, &users->second}) {
      if (auto it = user_index_.find(*user); it != user_index_.end()) {
        for (const auto& [id, s] : it->second) SendLine(*s, line);
      }
      if (users->first == users->second) break;
    }
    return;
  }
  auto it = channel_index_.find(channel);
  if (it == channel_index_.end()) return;
  for (const auto& [id, s] : it->second) SendLine(*s, line);  // a close here only asks lws
}

void Gateway::CloseUserSessions(const std::string& user, const std::string& room,
                                std::uint16_t code, const std::string& reason) {
  auto it = user_index_.find(user);
  if (it == user_index_.end()) return;
  for (const auto& [id, s] : it->second) {
    if (s->closing()) continue;
    if (!room.empty() && s->channels.count(room) == 0) continue;
    CloseSession(*s, code, reason);
  }
}

void Gateway::RemoveFromRoom(const std::string& room, const std::string& user,
                             const std::string& reason) {
  auto it = channel_index_.find(room);
  if (it == channel_index_.end()) return;
  std::vector<SessionId> ids;  // Unsubscribe erases from the index
  for (const auto& entry : it->second) ids.push_back(entry.first);
  for (SessionId id : ids) {
    Session* s = FindSession(id);
    if (s == nullptr || (!user.empty() && s->user != user)) continue;
    if (user.empty() && directory_.RefuseRoom(room, s->user, s->admin, NowMs()) == std::nullopt) {
      continue;  // everyone who may not stay: those it no longer admits
    }
    Unsubscribe(*s, room);
    SendText(*s, protocol::LeftBecause(room, reason));
  }
}

void Gateway::ApplyControl(const WriteJob& job) {
  const Message& e = job.message;
  ++stats_.control_events;
  if (job.user_after) directory_.Put(*job.user_after);
  if (job.room_after) directory_.Put(*job.room_after);
  std::string name = control::KeyName(e.channel);
  json args = json::parse(e.text, nullptr, /*allow_exceptions=*/false);
  auto arg = [&args](const char* key) {
    auto it = args.is_object() ? args.find(key) : args.end();
    return it != args.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string& kind = e.kind;

  if (kind.rfind("user.", 0) == 0) {
    if (kind == control::kUserKick) {
      CloseUserSessions(name, "", protocol::kCloseKicked, "kicked by an administrator");
    } else if (auto refused = directory_.RefuseUser(name, NowMs())) {
      // Disabled, deleted or banned: its sessions go on every node.
      CloseUserSessions(name, "", protocol::kCloseKicked, refused->message);
    }
    return;
  }
  if (kind.rfind("room.", 0) == 0) {
    if (kind == control::kRoomKick) {
      CloseUserSessions(arg("user"), name, protocol::kCloseKicked,
                        "kicked from channel '" + name + "'");
    } else if (kind == control::kRoomBan) {
      if (directory_.RefuseRoom(name, arg("user"), false, NowMs())) {
        CloseUserSessions(arg("user"), name, protocol::kCloseKicked,
                          "banned from channel '" + name + "'");
      }
    } else if (kind == control::kRoomTopic) {
      SendToChannel(name, std::make_shared<const std::string>(
                              protocol::TopicEvent(name, arg("topic"), e.from)));
    } else if (kind == control::kRoomMember) {
      std::string user = arg("user");
      Role role = directory_.RoleIn(name, user);
      SendToChannel(name, std::make_shared<const std::string>(
                              protocol::MemberEvent(name, user, role, e.from)));
      if (role == Role::kNone) RemoveFromRoom(name, user, "removed");
    } else if (kind == control::kRoomCreate) {
      RemoveFromRoom(name, "", "private");  // a room made private keeps its members only
    } else if (kind == control::kRoomDelete) {
      auto it = channel_index_.find(name);
      if (it != channel_index_.end()) {
        std::vector<SessionId> ids;  // Unsubscribe erases from the index
        for (const auto& entry : it->second) ids.push_back(entry.first);
        for (SessionId id : ids) {
          if (Session* s = FindSession(id)) {
            Unsubscribe(*s, name);
            SendText(*s, protocol::LeftBecause(name, "deleted"));
          }
        }
      }
    }
    return;
  }
  if (kind.rfind("msg.", 0) == 0 && job.message_after) {
    const control::MessageState& state = *job.message_after;
    std::string line;
    if (kind == control::kMsgEdit) {
      line = protocol::EditEvent(state, e.from);
    } else if (kind == control::kMsgDelete) {
      line = protocol::DeleteEvent(state, e.from);
    } else {
      auto flag = args.is_object() ? args.find("on") : args.end();
      bool on = flag != args.end() && flag->is_boolean() && flag->get<bool>();
      line = protocol::ReactionEvent(state, arg("emoji"), e.from, on);
    }
    SendToChannel(state.channel, std::make_shared<const std::string>(std::move(line)));
  }
}

}  // namespace chatctl::relay
