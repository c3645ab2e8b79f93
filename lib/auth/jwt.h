// Tokens: JWT with HS256 (HMAC-SHA256 from OpenSSL) signed with the cluster secret.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lib/result.h"

namespace chatctl {

struct TokenClaims {
  std::string sub;                  // user name, required
  std::optional<std::int64_t> exp;  // seconds since the Unix epoch; none = never expires
  std::int64_t iat = 0;             // seconds since the Unix epoch
  // The same time to the millisecond: written as a fraction of `iat` (RFC 7519 allows one), so
  // that a token made just after a password change is told from one made just before it. When
  // reading a token without a fraction, iat * 1000.
  std::int64_t iat_ms = 0;
  bool admin = false;

  // Sets iat and iat_ms to now_ms.
  void IssuedAt(std::int64_t now_ms) {
    iat_ms = now_ms;
    iat = now_ms / 1000;
  }
};

std::string MintToken(const TokenClaims& claims, std::string_view secret);

// Checks the header (alg must be HS256), the signature (constant-time), `sub` (a valid user name)
// and `exp` against now_s. Errors have code "unauthorized" and a message saying why.
Result<TokenClaims> VerifyToken(std::string_view token, std::string_view secret,
                                std::int64_t now_s);

// Reads a secret file: its bytes less a trailing newline; an error if missing or shorter than 16.
Result<std::string> ReadSecretFile(const std::string& path);

}  // namespace chatctl
