// Reading flat JSON objects (see flat_object.h). The grammar is RFC 8259's, narrowed: whatever
// Scan accepts, nlohmann accepts with the same members; everything else goes to nlohmann.
#include "lib/protocol/flat_object.h"

#include <tuple>

#include "lib/utf8.h"

namespace chatctl::protocol {
namespace {

// More digits than this could overflow 64 bits; nlohmann would make such a number a float.
constexpr std::size_t kMaxDigits = 18;

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool AtEnd() {
    SkipSpace();
    return at_ == text_.size();
  }
  bool Take(char c) {
    SkipSpace();
    if (at_ >= text_.size() || text_[at_] != c) return false;
    ++at_;
    return true;
  }

  // A string with no escapes and no control characters: its characters, or nullopt.
  std::optional<std::string_view> String() {
    if (!Take('"')) return std::nullopt;
    std::size_t begin = at_;
    bool ascii = true;
    for (; at_ < text_.size(); ++at_) {
      auto c = static_cast<unsigned char>(text_[at_]);
      if (c == '"') break;
      if (c == '\\' || c < 0x20) return std::nullopt;
      if (c >= 0x80) ascii = false;
    }
    if (at_ == text_.size()) return std::nullopt;
    std::string_view s = text_.substr(begin, at_ - begin);
    ++at_;
    if (!ascii && !IsValidUtf8(s)) return std::nullopt;
    return s;
  }

  std::optional<FlatValue> Value() {
    SkipSpace();
    if (at_ >= text_.size()) return std::nullopt;
    FlatValue v;
    char c = text_[at_];
    if (c == '"') {
      auto s = String();
      if (!s) return std::nullopt;
      v.kind = FlatValue::Kind::kString;
      v.text = *s;
      return v;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return Integer();
    for (auto [word, kind, truth] :
         {std::tuple{std::string_view("true"), FlatValue::Kind::kBool, true},
          std::tuple{std::string_view("false"), FlatValue::Kind::kBool, false},
          std::tuple{std::string_view("null"), FlatValue::Kind::kNull, false}}) {
      if (text_.substr(at_, word.size()) == word) {
        at_ += word.size();
        v.kind = kind;
        v.bool_value = truth;
        return v;
      }
    }
    return std::nullopt;
  }

 private:
  void SkipSpace() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\r' || text_[at_] == '\n'))
      ++at_;
  }

  // -?(0|[1-9][0-9]*), and nothing numeric after it (a fraction or exponent declines).
  std::optional<FlatValue> Integer() {
    bool negative = text_[at_] == '-';
    if (negative) ++at_;
    std::size_t begin = at_;
    std::uint64_t magnitude = 0;
    while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') {
      magnitude = magnitude * 10 + static_cast<std::uint64_t>(text_[at_] - '0');
      ++at_;
    }
    std::size_t digits = at_ - begin;
    if (digits == 0 || digits > kMaxDigits) return std::nullopt;
    if (digits > 1 && text_[begin] == '0') return std::nullopt;  // a leading zero: not JSON
    if (at_ < text_.size() && (text_[at_] == '.' || text_[at_] == 'e' || text_[at_] == 'E'))
      return std::nullopt;
    FlatValue v;
    if (negative) {
      v.kind = FlatValue::Kind::kInteger;
      v.integer_value = -static_cast<std::int64_t>(magnitude);
    } else {
      v.kind = FlatValue::Kind::kUnsigned;
      v.unsigned_value = magnitude;
    }
    return v;
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

std::optional<FlatObject> FlatObject::Scan(std::string_view line) {
  Scanner in(line);
  FlatObject object;
  object.members_.reserve(6);
  if (!in.Take('{')) return std::nullopt;
  if (!in.Take('}')) {
    do {
      auto key = in.String();
      if (!key || !in.Take(':')) return std::nullopt;
      auto value = in.Value();
      if (!value) return std::nullopt;
      object.members_.emplace_back(*key, *value);
    } while (in.Take(','));
    if (!in.Take('}')) return std::nullopt;
  }
  if (!in.AtEnd()) return std::nullopt;
  return object;
}

FlatObject FlatObject::Of(const nlohmann::json& object) {
  FlatObject flat;
  flat.members_.reserve(object.size());
  for (auto it = object.begin(); it != object.end(); ++it) {
    const nlohmann::json& member = it.value();
    FlatValue v;
    if (member.is_string()) {
      v.kind = FlatValue::Kind::kString;
      v.text = member.get_ref<const std::string&>();
    } else if (member.is_number_unsigned()) {
      v.kind = FlatValue::Kind::kUnsigned;
      v.unsigned_value = member.get<std::uint64_t>();
    } else if (member.is_number_integer()) {
      v.kind = FlatValue::Kind::kInteger;
      v.integer_value = member.get<std::int64_t>();
    } else if (member.is_boolean()) {
      v.kind = FlatValue::Kind::kBool;
      v.bool_value = member.get<bool>();
    } else if (member.is_null()) {
      v.kind = FlatValue::Kind::kNull;
    }
    flat.members_.emplace_back(it.key(), v);
  }
  return flat;
}

const FlatValue* FlatObject::Find(std::string_view key) const {
  for (auto it = members_.rbegin(); it != members_.rend(); ++it) {
    if (it->first == key) return &it->second;
  }
  return nullptr;
}

}  // namespace chatctl::protocol
