// Errors as values inside the library: a Result<T> holds a T or an Error. Exceptions are
// caught at the edge (cmd/), never thrown across lib/ interfaces.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace chatctl {

// `code` is one of the protocol's error codes (bad_request, unauthorized, forbidden, not_found,
// conflict, too_large, rate_limited, unavailable, internal); `message` is for people.
struct Error {
  std::string code;
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// A Result with nothing to return but success.
struct Ok {};
using Status = Result<Ok>;

}  // namespace chatctl
