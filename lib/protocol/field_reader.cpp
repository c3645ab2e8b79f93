// Reading request fields (see field_reader.h). The error messages are part of the protocol's
// tests: change them only with docs/protocol.md.
#include "lib/protocol/field_reader.h"

#include <utility>

#include "lib/names.h"
#include "lib/utf8.h"

namespace chatctl::protocol {
namespace {

constexpr std::size_t kMaxQuoted = 64;

}  // namespace

std::string QuoteInError(std::string_view text) {
  if (text.size() <= kMaxQuoted) return std::string(text);
  std::size_t end = kMaxQuoted;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "...";
}

Status CheckMessageText(std::string_view text, const Limits& limits) {
  if (text.empty()) return Error{"bad_request", "field 'text' must not be empty"};
  if (text.find('\0') != std::string_view::npos) {
    return Error{"bad_request", "field 'text' must not contain U+0000"};
  }
  if (CountCodePoints(text) > limits.max_text_chars) {
    return Error{"too_large",
                 "text is longer than " + std::to_string(limits.max_text_chars) + " characters"};
  }
  return Ok{};
}

FieldReader::FieldReader(const FlatObject& object, bool null_is_absent)
    : object_(object), null_is_absent_(null_is_absent) {}

const FlatValue* FieldReader::Find(const char* name) const {
  const FlatValue* value = object_.Find(name);
  if (value != nullptr && null_is_absent_ && value->kind == FlatValue::Kind::kNull) return nullptr;
  return value;
}

void FieldReader::Fail(std::string code, std::string message) {
  if (!failed()) status_ = Error{std::move(code), std::move(message)};
}

void FieldReader::BadRequest(std::string message) { Fail("bad_request", std::move(message)); }

std::optional<std::string> FieldReader::String(const char* name, bool required) {
  if (failed()) return std::nullopt;
  const FlatValue* value = Find(name);
  if (value == nullptr) {
    if (required) BadRequest(std::string("missing field '") + name + "'");
    return std::nullopt;
  }
  if (value->kind != FlatValue::Kind::kString) {
    BadRequest(std::string("field '") + name + "' must be a string");
    return std::nullopt;
  }
  return std::string(value->text);
}

std::optional<bool> FieldReader::Boolean(const char* name) {
  if (failed()) return std::nullopt;
  const FlatValue* value = Find(name);
  if (value == nullptr) return std::nullopt;
  if (value->kind != FlatValue::Kind::kBool) {
    BadRequest(std::string("field '") + name + "' must be true or false");
    return std::nullopt;
  }
  return value->bool_value;
}

std::optional<std::int64_t> FieldReader::Integer(const char* name, std::int64_t min,
                                                 std::int64_t max) {
  if (failed()) return std::nullopt;
  const FlatValue* field = Find(name);
  if (field == nullptr) return std::nullopt;
  bool in_range = false;
  std::int64_t value = 0;
  if (field->kind == FlatValue::Kind::kUnsigned) {
    // Compared unsigned first: a value past INT64_MAX must not wrap into range.
    auto u = field->unsigned_value;
    in_range = u <= static_cast<std::uint64_t>(max);
    value = in_range ? static_cast<std::int64_t>(u) : 0;
    in_range = in_range && value >= min;
  } else if (field->kind == FlatValue::Kind::kInteger) {
    value = field->integer_value;
    in_range = value >= min && value <= max;
  }
  if (!in_range) {
    BadRequest(std::string("field '") + name + "' must be an integer from " + std::to_string(min) +
               " to " + std::to_string(max));
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> FieldReader::Channel(const char* name) {
  auto channel = String(name, true);
  if (!channel) return std::nullopt;
  if (!IsValidRoomName(*channel) && !ParseDmChannel(*channel)) {
    BadRequest("invalid channel name '" + QuoteInError(*channel) + "'");
    return std::nullopt;
  }
  return channel;
}

std::optional<std::string> FieldReader::User(const char* name, bool required) {
  auto user = String(name, required);
  if (!user) return std::nullopt;
  if (!IsValidUserName(*user)) {
    BadRequest("invalid user name '" + QuoteInError(*user) + "' in field '" + name + "'");
    return std::nullopt;
  }
  return user;
}

std::optional<std::string> FieldReader::Room(const char* name, bool required) {
  auto room = String(name, required);
  if (!room) return std::nullopt;
  if (!IsValidRoomName(*room)) {
    BadRequest("invalid room name '" + QuoteInError(*room) + "' in field '" + name + "'");
    return std::nullopt;
  }
  return room;
}

std::optional<MessageId> FieldReader::Id(const char* name) {
  auto text = String(name, false);
  if (!text) return std::nullopt;
  auto id = ParseId(*text);
  if (!id) BadRequest(std::string("field '") + name + "' must be a message id (decimal digits)");
  return id;
}

}  // namespace chatctl::protocol
