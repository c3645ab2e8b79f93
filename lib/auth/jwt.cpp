// JWT HS256 tokens (lib/auth/jwt.h). Only the one algorithm exists here: the header is checked
// before anything else, so "alg":"none" or an RSA/HMAC confusion never reaches the signature check.
#include "lib/auth/jwt.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <nlohmann/json.hpp>

#include "lib/auth/base64url.h"
#include "lib/names.h"

namespace chatctl {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMinSecretBytes = 16;
constexpr std::size_t kSignatureBytes = 32;  // SHA-256

// Empty only if OpenSSL fails, which no input can cause; an empty signature never verifies.
std::string Sign(std::string_view signing_input, std::string_view secret) {
  if (secret.size() > static_cast<std::size_t>(INT_MAX)) return {};
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
           &mac_length) == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(mac), mac_length);
}

Error Unauthorized(std::string message) { return Error{"unauthorized", std::move(message)}; }

// Token text quoted back in a reason: short and plain ASCII, since reasons end up in close frames.
std::string Quote(std::string_view text) {
  constexpr std::size_t kMaxQuoted = 16;
  std::string out;
  for (char c : text.substr(0, kMaxQuoted)) out += (c >= 0x20 && c < 0x7F) ? c : '?';
  return out;
}

// A NumericDate claim: RFC 7519 allows fractions, which count as the whole second before them.
std::optional<std::int64_t> NumericDate(const json& value) {
  if (value.is_number_unsigned()) {
    auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_float()) {
    double d = value.get<double>();
    if (!std::isfinite(d) || d < -9.0e18 || d > 9.0e18) return std::nullopt;
    return static_cast<std::int64_t>(std::floor(d));
  }
  return std::nullopt;
}

// A NumericDate in milliseconds, its fraction kept; saturated far from now (a claim can hold any
// number, and the result is only compared).
std::int64_t Millis(const json& value, std::int64_t seconds) {
  constexpr std::int64_t kLimit = INT64_MAX / 1000 - 1;
  if (seconds >= kLimit) return INT64_MAX;
  if (seconds <= -kLimit) return INT64_MIN;
  if (value.is_number_float()) {
    return static_cast<std::int64_t>(std::floor(value.get<double>() * 1000));
  }
  return seconds * 1000;
}

std::optional<json> DecodeObject(std::string_view part) {
  auto bytes = Base64UrlDecode(part);
  if (!bytes) return std::nullopt;
  json value = json::parse(*bytes, nullptr, false);
  if (!value.is_object()) return std::nullopt;
  return value;
}

Result<TokenClaims> ClaimsFrom(const json& payload, std::int64_t now_s) {
  TokenClaims claims;
  auto sub = payload.find("sub");
  if (sub == payload.end()) return Unauthorized("token has no subject ('sub')");
  if (!sub->is_string() || !IsValidUserName(sub->get_ref<const std::string&>())) {
    return Unauthorized("token subject ('sub') is not a valid user name");
  }
  claims.sub = sub->get<std::string>();
  if (auto exp = payload.find("exp"); exp != payload.end()) {
    claims.exp = NumericDate(*exp);
    if (!claims.exp) return Unauthorized("token expiry ('exp') is not a number");
    if (*claims.exp <= now_s) return Unauthorized("token expired");
  }
  if (auto nbf = payload.find("nbf"); nbf != payload.end()) {
    auto not_before = NumericDate(*nbf);
    if (!not_before) return Unauthorized("token 'nbf' is not a number");
    if (*not_before > now_s) return Unauthorized("token not valid yet");
  }
  if (auto iat = payload.find("iat"); iat != payload.end()) {
    auto issued = NumericDate(*iat);
    if (!issued) return Unauthorized("token 'iat' is not a number");
    claims.iat = *issued;
    claims.iat_ms = Millis(*iat, *issued);
  }
  if (auto admin = payload.find("admin"); admin != payload.end()) {
    if (!admin->is_boolean()) return Unauthorized("token 'admin' is not a boolean");
    claims.admin = admin->get<bool>();
  }
  return claims;
}

}  // namespace

std::string MintToken(const TokenClaims& claims, std::string_view secret) {
  nlohmann::ordered_json payload;
  payload["sub"] = claims.sub;
  if (claims.iat_ms != 0 && claims.iat_ms % 1000 != 0) {
    // Exact in a double: 2^53 ms is 285,000 years.
    payload["iat"] = static_cast<double>(claims.iat_ms) / 1000;
  } else {
    payload["iat"] = claims.iat;
  }
  if (claims.exp) payload["exp"] = *claims.exp;
  if (claims.admin) payload["admin"] = true;
  std::string signing_input =
      Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})") + "." +
      Base64UrlEncode(payload.dump(-1, ' ', false, json::error_handler_t::replace));
  std::string signature = Base64UrlEncode(Sign(signing_input, secret));
  return signing_input + "." + signature;
}

Result<TokenClaims> VerifyToken(std::string_view token, std::string_view secret,
                                std::int64_t now_s) {
  auto first = token.find('.');
  auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return Unauthorized("malformed token: not three dot-separated parts");
  }
  std::string_view header_part = token.substr(0, first);
  std::string_view payload_part = token.substr(first + 1, second - first - 1);
  std::string_view signature_part = token.substr(second + 1);

  auto header = DecodeObject(header_part);
  if (!header) return Unauthorized("malformed token: the header is not a base64url JSON object");
  auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string()) {
    return Unauthorized("malformed token: the header has no algorithm");
  }
  if (*alg != "HS256") {
    return Unauthorized("unsupported token algorithm '" +
                        Quote(alg->get_ref<const std::string&>()) + "' (only HS256)");
  }
  if (auto typ = header->find("typ"); typ != header->end() && *typ != "JWT") {
    return Unauthorized("malformed token: the header's type is not JWT");
  }
  // Nothing here understands extensions, and RFC 7515 says a listed one must be honoured.
  if (header->contains("crit")) return Unauthorized("token header has unsupported 'crit'");

  auto signature = Base64UrlDecode(signature_part);
  if (!signature) return Unauthorized("malformed token: the signature is not base64url");
  std::string expected = Sign(token.substr(0, second), secret);
  if (expected.size() != kSignatureBytes || signature->size() != kSignatureBytes ||
      CRYPTO_memcmp(expected.data(), signature->data(), kSignatureBytes) != 0) {
    return Unauthorized("bad token signature");
  }

  auto payload = DecodeObject(payload_part);
  if (!payload) return Unauthorized("malformed token: the payload is not a base64url JSON object");
  return ClaimsFrom(*payload, now_s);
}

Result<std::string> ReadSecretFile(const std::string& path) {
  auto unreadable = [&path](int error) {
    return Error{"bad_request", "cannot read secret file '" + path + "': " + std::strerror(error)};
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return unreadable(errno);
  std::string bytes;
  char chunk[4096];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n > 0) {
      bytes.append(chunk, static_cast<std::size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      int error = errno;
      ::close(fd);
      return unreadable(error);
    }
  }
  ::close(fd);
  // Editors add a final newline; a secret meant to hold one is not worth the surprise.
  if (bytes.size() >= 2 && bytes.compare(bytes.size() - 2, 2, "\r\n") == 0) {
    bytes.resize(bytes.size() - 2);
  } else if (!bytes.empty() && bytes.back() == '\n') {
    bytes.pop_back();
  }
  if (bytes.size() < kMinSecretBytes) {
    return Error{"bad_request", "secret file '" + path + "' holds " + std::to_string(bytes.size()) +
                                    " bytes; at least " + std::to_string(kMinSecretBytes) +
                                    " are needed"};
  }
  return bytes;
}

}  // namespace chatctl
