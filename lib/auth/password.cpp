// Password hashing with libsodium's argon2id (see password.h).
#include "lib/auth/password.h"

#include <sodium.h>

namespace chatctl {
namespace {

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;  // thread-safe, idempotent
  return ready;
}

}  // namespace

Status CheckPasswordRules(std::string_view password) {
  if (password.size() < kMinPasswordBytes || password.size() > kMaxPasswordBytes) {
    return Error{"bad_request", "a password has " + std::to_string(kMinPasswordBytes) + " to " +
                                    std::to_string(kMaxPasswordBytes) + " bytes"};
  }
  if (password.find('\0') != std::string_view::npos) {
    return Error{"bad_request", "a password cannot hold a NUL byte"};
  }
  return Ok{};
}

Result<std::string> HashPassword(std::string_view password) {
  if (Status s = CheckPasswordRules(password); !s.ok()) return s.error();
  if (!SodiumReady()) return Error{"internal", "libsodium failed to initialize"};
  char out[crypto_pwhash_STRBYTES];
  // INTERACTIVE limits: what libsodium recommends for logins (2 passes over 64 MiB).
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Error{"unavailable", "out of memory hashing a password"};
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view password, const std::string& hash) {
  if (!SodiumReady() || hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace chatctl
