// Parsing what clients send (see requests.h). Any input ends as a Request or an Invalid, never an
// exception: a client must not be able to crash a node.
#include "lib/protocol/requests.h"

#include <algorithm>
#include <climits>
#include <exception>
#include <utility>

#include <nlohmann/json.hpp>

#include "lib/control.h"
#include "lib/names.h"
#include "lib/protocol/field_reader.h"
#include "lib/protocol/flat_object.h"
#include "lib/utf8.h"

namespace chatctl::protocol {
namespace {

using json = nlohmann::json;

// JavaScript's largest exactly representable integer: a ref a browser can echo back unchanged.
constexpr std::int64_t kMaxRefMagnitude = std::int64_t{1} << 53;

// A ref as the client sent it, or nullopt when it is neither a string nor an integer of at most
// 2^53 in magnitude.
std::optional<Ref> RefOf(const FlatValue& ref) {
  switch (ref.kind) {
    case FlatValue::Kind::kString:
      return Ref(std::string(ref.text));
    case FlatValue::Kind::kUnsigned:
      if (ref.unsigned_value > static_cast<std::uint64_t>(kMaxRefMagnitude)) return std::nullopt;
      return Ref(ref.unsigned_value);
    case FlatValue::Kind::kInteger:
      if (ref.integer_value < -kMaxRefMagnitude || ref.integer_value > kMaxRefMagnitude)
        return std::nullopt;
      return Ref(ref.integer_value);
    default:
      return std::nullopt;
  }
}

std::optional<Body> ReadHello(FieldReader& f) {
  Hello hello;
  hello.token = f.String("token", false);
  hello.user = f.String("user", false);
  hello.password = f.String("password", false);
  if (!f.failed() && !hello.token && !hello.user) f.BadRequest("hello needs 'token' or 'user'");
  if (!f.failed() && hello.password && !hello.user) f.BadRequest("'password' needs 'user'");
  // The user name is not checked here: refusing credentials is the gateway's (a 4401 close).
  if (f.failed()) return std::nullopt;
  return hello;
}

std::optional<Body> ReadJoin(FieldReader& f, const Limits& limits) {
  Join join;
  join.channel = f.Channel("channel").value_or("");
  auto replay_max =
      static_cast<std::int64_t>(std::min<std::size_t>(limits.since_replay_max, INT_MAX));
  if (auto last = f.Integer("last", 0, replay_max)) join.last = static_cast<int>(*last);
  join.since = f.Id("since");
  if (auto cursor = f.String("cursor", false); cursor && !f.failed()) {
    auto parsed = ParseCursor(*cursor);
    if (parsed.ok()) {
      join.cursor = std::move(parsed).value();
    } else {
      f.BadRequest(parsed.error().message);
    }
  }
  int given = (join.last ? 1 : 0) + (join.since ? 1 : 0) + (join.cursor ? 1 : 0);
  if (!f.failed() && given > 1) f.BadRequest("give one of 'last', 'since' and 'cursor'");
  if (f.failed()) return std::nullopt;
  return join;
}

// The message text rule, reported through the reader so only the first problem is kept.
void CheckText(FieldReader& f, const std::string& text, const Limits& limits) {
  if (f.failed()) return;
  Status checked = CheckMessageText(text, limits);
  if (!checked) f.Fail(checked.error().code, checked.error().message);
}

std::optional<Body> ReadSend(FieldReader& f, const Limits& limits) {
  Send send;
  if (f.has("channel") && f.has("to")) {
    f.BadRequest("give 'channel' or 'to', not both");
  } else if (f.has("to")) {
    send.to = f.User("to", true);
  } else if (f.has("channel")) {
    send.channel = f.Channel("channel").value_or("");
  } else {
    f.BadRequest("missing field 'channel' (or 'to')");
  }
  send.text = f.String("text", true).value_or("");
  CheckText(f, send.text, limits);
  if (f.failed()) return std::nullopt;
  return send;
}

std::optional<Body> ReadHistory(FieldReader& f) {
  History history;
  history.channel = f.Channel("channel").value_or("");
  history.before = f.Id("before");
  if (auto limit = f.Integer("limit", 1, kHistoryMaxLimit))
    history.limit = static_cast<int>(*limit);
  if (f.failed()) return std::nullopt;
  return history;
}

std::optional<Body> ReadRegister(FieldReader& f) {
  Register r;
  r.user = f.String("user", true).value_or("");
  r.password = f.String("password", true).value_or("");
  if (!f.failed() && !IsValidUserName(r.user)) {
    f.BadRequest("invalid user name '" + QuoteInError(r.user) + "'");
  }
  if (f.failed()) return std::nullopt;
  return r;
}

std::optional<Body> ReadRoomOp(const std::string& type, FieldReader& f) {
  RoomOp op;
  op.op = type;
  // Kicks and bans without a channel are cluster-wide.
  bool channel_optional = type == "kick" || type == "ban" || type == "unban";
  auto channel = f.String("channel", !channel_optional);
  if (channel) {
    if (!IsValidRoomName(*channel)) {
      f.BadRequest("invalid room name '" + QuoteInError(*channel) +
                   "' (dm channels have no rooms' roles)");
    }
    op.channel = *channel;
  }
  bool needs_user = type != "create" && type != "room" && type != "topic";
  if (needs_user) {
    op.user = f.String("user", true).value_or("");
    if (!f.failed() && !IsValidUserName(op.user)) {
      f.BadRequest("invalid user name '" + QuoteInError(op.user) + "'");
    }
  }
  if (type == "invite") {
    op.role = f.String("role", false);
    if (op.role && (*op.role == "none" || !control::ParseRole(*op.role))) {
      f.BadRequest("field 'role' must be member, admin or owner");
    }
  }
  if (type == "create" || type == "topic") {
    op.topic = f.String("topic", type == "topic");
    if (op.topic && CountCodePoints(*op.topic) > control::kMaxTopicChars) {
      f.Fail("too_large",
             "a topic has at most " + std::to_string(control::kMaxTopicChars) + " characters");
    }
  }
  if (type == "create") op.is_private = f.Boolean("private").value_or(false);
  if (type == "ban") op.seconds = f.Integer("seconds", 1, control::kMaxBanSeconds);
  if (f.failed()) return std::nullopt;
  return op;
}

std::optional<Body> ReadMessageOp(const std::string& type, FieldReader& f, const Limits& limits) {
  MessageOp op;
  op.op = type;
  op.channel = f.Channel("channel").value_or("");
  auto id = f.Id("id");
  if (!f.failed() && !id) f.BadRequest("missing field 'id'");
  op.id = id.value_or(0);
  if (type == "edit") {
    op.text = f.String("text", true).value_or("");
    CheckText(f, op.text, limits);
  }
  if (type == "react" || type == "unreact") {
    op.emoji = f.String("emoji", true).value_or("");
    if (!f.failed() && !control::IsValidReaction(op.emoji)) {
      f.BadRequest("field 'emoji' must be 1 to 32 bytes with no spaces or control characters");
    }
  }
  if (f.failed()) return std::nullopt;
  return op;
}

std::optional<Body> ReadBody(const std::string& type, FieldReader& f, const Limits& limits) {
  if (type == "hello") return ReadHello(f);
  if (type == "join") return ReadJoin(f, limits);
  if (type == "send") return ReadSend(f, limits);
  if (type == "history") return ReadHistory(f);
  if (type == "leave" || type == "presence") {
    auto channel = f.Channel("channel");
    if (!channel) return std::nullopt;
    if (type == "leave") return Leave{std::move(*channel)};
    return PresenceQuery{std::move(*channel)};
  }
  if (type == "ping") return Ping{};
  if (type == "register") return ReadRegister(f);
  if (type == "create" || type == "room" || type == "topic" || type == "invite" ||
      type == "remove" || type == "kick" || type == "ban" || type == "unban") {
    return ReadRoomOp(type, f);
  }
  if (type == "edit" || type == "delete" || type == "react" || type == "unreact") {
    return ReadMessageOp(type, f, limits);
  }
  f.BadRequest("unknown type '" + QuoteInError(type) + "'");
  return std::nullopt;
}

// nlohmann's messages start with "[json.exception.parse_error.101] ", which helps nobody.
std::string WithoutExceptionId(const char* what) {
  std::string_view text(what);
  if (!text.empty() && text.front() == '[') {
    if (auto close = text.find("] "); close != std::string_view::npos)
      text.remove_prefix(close + 2);
  }
  return std::string(text);
}

Parsed ParseObject(const FlatObject& object, const Limits& limits) {
  Ref ref;
  if (const FlatValue* raw = object.Find("ref")) {
    auto valid = RefOf(*raw);
    if (!valid) {
      return Invalid{nullptr, "bad_request",
                     "field 'ref' must be a string or an integer of at most 2^53"};
    }
    ref = std::move(*valid);
  }
  FieldReader fields(object);
  auto type = fields.String("type", true);
  std::optional<Body> body;
  if (type) body = ReadBody(*type, fields, limits);
  if (!body) return Invalid{std::move(ref), fields.error().code, fields.error().message};
  return Request{std::move(ref), std::move(*body)};
}

Parsed ParseLine(std::string_view line, const Limits& limits) {
  if (auto flat = FlatObject::Scan(line)) return ParseObject(*flat, limits);
  // nlohmann stops reading at a NUL byte as if the text ended there, so a valid request followed
  // by NUL and garbage would be taken: a raw NUL is not JSON anywhere in a line.
  if (auto nul = line.find('\0'); nul != std::string_view::npos) {
    return Invalid{nullptr, "bad_request",
                   "malformed JSON: a raw NUL byte at byte " + std::to_string(nul + 1)};
  }
  // Escapes, nesting, fractions, or not JSON at all: nlohmann reads it, or says what is wrong.
  json object;
  try {
    object = json::parse(line.begin(), line.end());
  } catch (const json::exception& e) {
    return Invalid{nullptr, "bad_request", "malformed JSON: " + WithoutExceptionId(e.what())};
  }
  if (!object.is_object())
    return Invalid{nullptr, "bad_request", "a request must be a JSON object"};
  return ParseObject(FlatObject::Of(object), limits);
}

}  // namespace

std::vector<Parsed> ParseFrame(std::string_view frame, const Limits& limits) {
  std::vector<Parsed> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t newline = frame.find('\n', start);
    std::size_t end = newline == std::string_view::npos ? frame.size() : newline;
    std::string_view line = frame.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) {
      try {
        out.push_back(ParseLine(line, limits));
      } catch (const std::exception& e) {
        // Only allocation failure gets here; the client still hears about its line.
        out.push_back(Invalid{nullptr, "bad_request", std::string("cannot parse: ") + e.what()});
      }
    }
    if (newline == std::string_view::npos) break;
    start = newline + 1;
  }
  return out;
}

}  // namespace chatctl::protocol
