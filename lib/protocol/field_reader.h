// Reading the fields of one request object, shared by the WebSocket parser (lib/protocol/) and the
// admin HTTP API, so both give a wrong field the same words. Also the message text rule, which
// send, edit and HTTP publish share. What a request means, and who may make it, is left to the
// callers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lib/config.h"
#include "lib/ids.h"
#include "lib/protocol/flat_object.h"
#include "lib/result.h"

namespace chatctl::protocol {

// The first problem found is kept and later reads become no-ops returning nullopt, so a request
// reader reads straight through and checks failed() once. Not thread-safe; lives for one request.
class FieldReader {
 public:
  // null_is_absent: a member whose value is JSON null counts as missing (the admin API's rule);
  // false for WebSocket requests, where null is a wrong type as today.
  // `object` must outlive the reader.
  explicit FieldReader(const FlatObject& object, bool null_is_absent = false);

  bool failed() const { return !status_.ok(); }
  // The first problem (code bad_request or too_large); only when failed().
  const Error& error() const { return status_.error(); }
  // Ok, or the first problem.
  const Status& status() const { return status_; }
  bool has(const char* name) const { return Find(name) != nullptr; }

  // Keeps the first failure only: later ones are usually caused by it.
  void Fail(std::string code, std::string message);
  void BadRequest(std::string message);

  std::optional<std::string> String(const char* name, bool required);
  // An optional true or false.
  std::optional<bool> Boolean(const char* name);
  // An optional integer within [min, max].
  std::optional<std::int64_t> Integer(const char* name, std::int64_t min, std::int64_t max);
  // A required room name or well-formed dm channel.
  std::optional<std::string> Channel(const char* name);
  // A valid user name.
  std::optional<std::string> User(const char* name, bool required);
  // A valid room name (not a dm channel).
  std::optional<std::string> Room(const char* name, bool required);
  // An optional message id, sent as a string of digits.
  std::optional<MessageId> Id(const char* name);

 private:
  const FlatValue* Find(const char* name) const;

  const FlatObject& object_;
  const bool null_is_absent_;
  Status status_ = Ok{};
};

// The message text rule (send, edit, HTTP publish): 1..limits.max_text_chars code points, no NUL.
// Fails bad_request, or too_large when the text is too long.
Status CheckMessageText(std::string_view text, const Limits& limits);

// Client text to quote back in an error message: cut to 64 bytes at a code-point boundary, so a
// long name cannot make a long error and the quote stays valid UTF-8.
std::string QuoteInError(std::string_view text);

}  // namespace chatctl::protocol
