// Passwords: argon2id (libsodium's crypto_pwhash_str), a memory-hard KDF with a random salt, stored
// as the self-describing string libsodium writes. A password never reaches a log or a file.
// Hashing and checking are slow on purpose (tens of milliseconds and 64 MiB): call them off the
// gateway thread (relay/worker.h).
#pragma once

#include <string>
#include <string_view>

#include "lib/result.h"

namespace chatctl {

constexpr std::size_t kMinPasswordBytes = 8;
constexpr std::size_t kMaxPasswordBytes = 256;

// A bad_request error naming what is wrong, or Ok.
Status CheckPasswordRules(std::string_view password);
Result<std::string> HashPassword(std::string_view password);
// Constant-time; false for a malformed hash.
bool VerifyPassword(std::string_view password, const std::string& hash);

}  // namespace chatctl
