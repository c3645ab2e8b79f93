// A JSON object whose members are all scalars, the shape of nearly every client request. Reading
// one with nlohmann's DOM builds a std::map and a string per member, and at 100,000 sends a second
// that was a tenth of the node's CPU. Scan reads the common case in one pass with no copies; for
// anything else (escapes, nesting, fractions, malformed JSON) it declines, and the caller parses
// the line in full and views the result through Of. Either way the request reader sees a
// FlatObject.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace chatctl::protocol {

struct FlatValue {
  enum class Kind { kString, kUnsigned, kInteger, kBool, kNull, kOther };
  Kind kind = Kind::kOther;          // kOther: an array, an object or a fraction
  std::string_view text;             // kString: the characters, unescaped
  std::uint64_t unsigned_value = 0;  // kUnsigned: an integer written without a minus
  std::int64_t integer_value = 0;    // kInteger: an integer written with one
  bool bool_value = false;           // kBool
};

class FlatObject {
 public:
  // The fast path: nullopt unless `line` is an object whose strings have no backslash (and are
  // valid UTF-8) and whose numbers are integers of at most 18 digits. Views point into `line`.
  static std::optional<FlatObject> Scan(std::string_view line);
  // The members of an object parsed in full; views point into `object`, which must outlive this.
  static FlatObject Of(const nlohmann::json& object);

  // The member named `key`; of several, the last, as nlohmann keeps it. nullptr when absent.
  const FlatValue* Find(std::string_view key) const;
  // In the order read, duplicates included.
  const std::vector<std::pair<std::string_view, FlatValue>>& members() const { return members_; }

 private:
  std::vector<std::pair<std::string_view, FlatValue>> members_;
};

}  // namespace chatctl::protocol
