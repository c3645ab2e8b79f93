// What the UI thread of `chatctl chat` does with the network thread's events (see app.h): messages
// and replays filed into the rooms model, live room events shown, replies matched to the request
// that asked (a pending line acked or failed, a history page, a member list, a command's answer).
#include <chrono>
#include <optional>

#include "cmd/chat/app.h"
#include "lib/names.h"

namespace chatctl::cmd::chat {

namespace {

using json = nlohmann::json;
using chatctl::chat::IncomingMessage;
using chatctl::chat::LineKind;
using chatctl::chat::NetEvent;

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "👍 2 🎉 1" from a "reactions" object: emoji to the users who reacted.
std::string ReactionSummary(const json& reactions) {
  std::string summary;
  if (!reactions.is_object()) return summary;
  for (const auto& [emoji, users] : reactions.items()) {
    if (!users.is_array() || users.empty()) continue;
    summary += (summary.empty() ? "" : " ") + emoji + " " + std::to_string(users.size());
  }
  return summary;
}

std::optional<IncomingMessage> MessageOf(const json& m) {
  auto id = ParseId(m.value("id", std::string()));
  if (!id || !m.contains("channel")) return std::nullopt;
  IncomingMessage message{*id, m.value("channel", std::string()), m.value("from", std::string()),
                          m.value("text", std::string()), m.value("ts", std::int64_t{0})};
  message.edited = m.contains("edited_ts");
  message.deleted = m.value("deleted", false);
  if (auto reactions = m.find("reactions"); reactions != m.end()) {
    message.reactions = ReactionSummary(*reactions);
  }
  return message;
}

}  // namespace

void App::OnEvent(NetEvent& event) {
  switch (event.kind) {
    case NetEvent::kConnected: {
      bool again = status_.find("disconnected") != std::string::npos;
      rooms_.set_self(event.user);
      status_ = event.user + "@" + event.node + " \u00b7 connected to " + event.text;
      if (again) Note("connection regained (" + event.text + ")");
      break;
    }
    case NetEvent::kLost:
      status_ = rooms_.self() + " \u00b7 disconnected: " + event.text + "; reconnecting";
      Note("connection lost: " + event.text + "; reconnecting");
      break;
    case NetEvent::kFatal:
      status_ = rooms_.self() + " \u00b7 disconnected: " + event.text;
      Note("disconnected: " + event.text + " (not reconnecting; /quit to leave)");
      break;
    case NetEvent::kJoined: {
      std::string channel = event.frame.value("channel", std::string());
      chatctl::chat::Room& room = rooms_.Open(channel);
      if (event.failed) {
        rooms_.AddEvent(channel, "cannot join: " + event.error.message, NowMs());
        break;
      }
      bool first = !room.joined;
      room.joined = true;
      // The history of a room just opened is not unread; what a rejoin after a reconnect brings
      // was missed, and is.
      for (const auto& m : event.frame.value("messages", json::array())) {
        if (auto message = MessageOf(m)) rooms_.AddMessage(*message, !first);
      }
      if (first) {
        Request({{"type", "presence"}, {"channel", channel}}, {Awaited::kPresence, channel, 0, ""});
        // The topic, for the title row; a dm has none.
        if (!IsDmChannel(channel)) {
          Request({{"type", "room"}, {"channel", channel}}, {Awaited::kRoom, channel, 0, ""});
        }
      }
      break;
    }
    case NetEvent::kFrame:
      OnFrame(event.frame);
      break;
    case NetEvent::kReply:
      OnReply(event);
      break;
  }
}

void App::OnFrame(const json& frame) {
  std::string type = frame.value("type", std::string());
  std::string channel = frame.value("channel", std::string());
  std::int64_t now = NowMs();
  if (type == "msg") {
    auto message = MessageOf(frame);
    if (!message) return;
    // A dm from someone new opens its room, joined so that a reconnect resumes it too.
    if (rooms_.Find(channel) == nullptr) OpenRoom(channel, false);
    rooms_.AddMessage(*message);
  } else if (rooms_.Find(channel) == nullptr) {
    if (type == "error") {
      Note("node says " + frame.value("code", std::string("?")) + ": " +
           frame.value("message", std::string()));
    }
  } else if (type == "presence") {
    chatctl::chat::Room& room = *rooms_.Find(channel);
    std::string user = frame.value("user", std::string());
    if (frame.value("state", std::string()) == "join") {
      if (room.members.insert(user).second) rooms_.AddEvent(channel, user + " joined", now);
    } else if (room.members.erase(user) != 0) {
      rooms_.AddEvent(channel, user + " left", now);
    }
  } else if (type == "topic") {
    chatctl::chat::Room& room = *rooms_.Find(channel);
    room.topic = frame.value("topic", std::string());
    rooms_.AddEvent(channel, frame.value("by", std::string("?")) + " set the topic: " + room.topic,
                    now);
  } else if (type == "member") {
    rooms_.AddEvent(channel,
                    frame.value("by", std::string("?")) + " made " +
                        frame.value("user", std::string("?")) + " " +
                        frame.value("role", std::string("?")),
                    now);
  } else if (type == "edit" || type == "delete" || type == "reaction") {
    auto id = ParseId(frame.value("id", std::string()));
    chatctl::chat::ChatLine* line = id ? rooms_.FindMessage(channel, *id) : nullptr;
    if (line == nullptr) return;  // older than the scrollback holds
    if (type == "edit") {
      line->text = frame.value("text", std::string());
      line->edited = true;
    } else if (type == "delete") {
      line->text.clear();
      line->deleted = true;
    } else {
      line->reactions = ReactionSummary(frame.value("reactions", json::object()));
    }
  } else if (type == "left") {
    rooms_.AddEvent(channel, "you are out of this room: " + frame.value("reason", std::string()),
                    now);
  }
}

void App::OnReply(NetEvent& event) {
  auto it = awaited_.find(event.tag);
  if (it == awaited_.end()) return;
  Awaited awaited = std::move(it->second);
  awaited_.erase(it);
  const json& reply = event.frame;
  switch (awaited.kind) {
    case Awaited::kSend:
      if (event.failed) {
        rooms_.Failed(awaited.local, event.error.message);
      } else if (auto id = ParseId(reply.value("id", std::string()))) {
        rooms_.Acked(awaited.local, reply.value("channel", awaited.channel), *id,
                     reply.value("ts", NowMs()));
      }
      break;
    case Awaited::kHistory:
      history_in_flight_[awaited.channel] = false;
      if (event.failed) {
        rooms_.AddEvent(awaited.channel, "cannot page history: " + event.error.message, NowMs());
      } else if (chatctl::chat::Room* room = rooms_.Find(awaited.channel)) {
        room->more_history = reply.value("more", false);
        for (const auto& m : reply.value("messages", json::array())) {
          if (auto message = MessageOf(m)) rooms_.AddMessage(*message);
        }
      }
      break;
    case Awaited::kPresence:
    case Awaited::kWho:
      if (event.failed) {
        if (awaited.kind == Awaited::kWho) Note("/who: " + event.error.message);
      } else if (chatctl::chat::Room* room = rooms_.Find(awaited.channel)) {
        room->members.clear();
        std::string list;
        for (const auto& user : reply.value("users", json::array())) {
          room->members.insert(user.get<std::string>());
          list += " " + user.get<std::string>();
        }
        if (awaited.kind == Awaited::kWho) {
          Note(std::to_string(room->members.size()) + " in " + room->title + ":" + list);
        }
      }
      break;
    case Awaited::kRoom:
      if (chatctl::chat::Room* room = rooms_.Find(awaited.channel);
          room != nullptr && !event.failed) {
        room->topic = reply.value("topic", std::string());
      }
      break;
    case Awaited::kCommand:
      if (event.failed) {
        Note("/" + awaited.what + " refused: " + event.error.code + ": " + event.error.message);
      } else if (awaited.what != "edit" && awaited.what != "delete" && awaited.what != "react") {
        Note("/" + awaited.what + ": done");  // those three show by their live event
      }
      break;
  }
}

}  // namespace chatctl::cmd::chat
