// Unit tests of tokens (lib/auth/jwt.h) and the base64url they are written in: every way a token
// can be forged, tampered with, expired or garbled is refused with code "unauthorized".
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <string>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "lib/auth/base64url.h"
#include "lib/auth/jwt.h"

using chatctl::Base64UrlDecode;
using chatctl::Base64UrlEncode;
using chatctl::MintToken;
using chatctl::ReadSecretFile;
using chatctl::TokenClaims;
using chatctl::VerifyToken;

namespace {

constexpr const char* kSecret = "0123456789abcdef-test-secret";
constexpr std::int64_t kNow = 1732280000;

// A token with any header and payload, correctly signed with HS256: forgeries that only the
// header or claim checks can catch.
std::string SignedToken(const std::string& header, const std::string& payload,
                        const std::string& secret = kSecret) {
  std::string input = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length);
  return input + "." + Base64UrlEncode(std::string(reinterpret_cast<char*>(mac), length));
}

const std::string kHeader = R"({"alg":"HS256","typ":"JWT"})";

TokenClaims Alice() {
  TokenClaims claims;
  claims.sub = "alice";
  claims.iat = kNow;
  claims.exp = kNow + 3600;
  return claims;
}

void ExpectRefused(const std::string& token, const std::string& why_contains,
                   const std::string& secret = kSecret) {
  auto verified = VerifyToken(token, secret, kNow);
  REQUIRE_FALSE(verified.ok());
  CHECK(verified.error().code == "unauthorized");
  CHECK_THAT(verified.error().message, Catch::Contains(why_contains));
}

// A file in /tmp holding `content`, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/chatctl-jwt-test-XXXXXX";
    int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
    close(fd);
    path_ = name;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

TEST_CASE("base64url matches the RFC 4648 test vectors without padding", "[jwt]") {
  CHECK(Base64UrlEncode("") == "");
  CHECK(Base64UrlEncode("f") == "Zg");
  CHECK(Base64UrlEncode("fo") == "Zm8");
  CHECK(Base64UrlEncode("foo") == "Zm9v");
  CHECK(Base64UrlEncode("foobar") == "Zm9vYmFy");
  CHECK(Base64UrlEncode("\xfb\xff") == "-_8");
  for (const char* text : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xfb\xff\x00\x01"}) {
    CHECK(Base64UrlDecode(Base64UrlEncode(text)) == std::string(text));
  }
}

TEST_CASE("base64url refuses padding, foreign characters, bad lengths and stray bits", "[jwt]") {
  CHECK_FALSE(Base64UrlDecode("Zg=="));
  CHECK_FALSE(Base64UrlDecode("Zm9v+A"));
  CHECK_FALSE(Base64UrlDecode("Zm9v/A"));
  CHECK_FALSE(Base64UrlDecode("Zm 9v"));
  CHECK_FALSE(Base64UrlDecode("Zm9vY"));  // 4n+1 characters cannot come from whole bytes
  CHECK_FALSE(Base64UrlDecode("Zh"));     // "f" with a nonzero unused bit
  CHECK(Base64UrlDecode("Zg") == std::string("f"));
}

TEST_CASE("a minted token verifies and gives back its claims", "[jwt]") {
  TokenClaims claims = Alice();
  claims.admin = true;
  std::string token = MintToken(claims, kSecret);
  auto verified = VerifyToken(token, kSecret, kNow);
  REQUIRE(verified.ok());
  CHECK(verified->sub == "alice");
  CHECK(verified->iat == kNow);
  CHECK(verified->exp == kNow + 3600);
  CHECK(verified->admin);
}

TEST_CASE("a minted token has the fixed header and only the claims it needs", "[jwt]") {
  TokenClaims claims = Alice();
  claims.exp.reset();
  std::string token = MintToken(claims, kSecret);
  auto first = token.find('.');
  auto second = token.find('.', first + 1);
  CHECK(Base64UrlDecode(token.substr(0, first)) == kHeader);
  CHECK(Base64UrlDecode(token.substr(first + 1, second - first - 1)) ==
        std::string(R"({"sub":"alice","iat":1732280000})"));
  auto verified = VerifyToken(token, kSecret, kNow + 100LL * 365 * 86400);
  REQUIRE(verified.ok());
  CHECK_FALSE(verified->exp);
  CHECK_FALSE(verified->admin);
}

TEST_CASE("a token with a tampered payload is refused", "[jwt]") {
  std::string token = MintToken(Alice(), kSecret);
  auto first = token.find('.');
  auto second = token.find('.', first + 1);
  std::string forged_payload =
      Base64UrlEncode(R"({"sub":"alice","iat":1732280000,"exp":1732283600,"admin":true})");
  std::string forged = token.substr(0, first + 1) + forged_payload + token.substr(second);
  ExpectRefused(forged, "signature");
}

TEST_CASE("a token with a tampered signature is refused", "[jwt]") {
  std::string token = MintToken(Alice(), kSecret);
  std::string flipped = token;
  char& c = flipped[token.rfind('.') + 5];
  c = c == 'A' ? 'B' : 'A';
  ExpectRefused(flipped, "signature");
  // The last character holds unused bits: changing only those must not verify either.
  std::string last = token;
  last.back() = static_cast<char>(last.back() ^ 1);
  CHECK_FALSE(VerifyToken(last, kSecret, kNow).ok());
  ExpectRefused(token.substr(0, token.rfind('.') + 1), "signature");
}

TEST_CASE("a token signed with another secret is refused", "[jwt]") {
  std::string token = MintToken(Alice(), "another-secret-of-enough-length");
  ExpectRefused(token, "signature");
}

TEST_CASE("an expired token is refused", "[jwt]") {
  TokenClaims claims = Alice();
  claims.exp = kNow;  // exp is the first second the token is no longer good
  ExpectRefused(MintToken(claims, kSecret), "token expired");
  claims.exp = kNow - 1;
  ExpectRefused(MintToken(claims, kSecret), "token expired");
  claims.exp = kNow + 1;
  CHECK(VerifyToken(MintToken(claims, kSecret), kSecret, kNow).ok());
}

TEST_CASE("a token with alg none is refused", "[jwt]") {
  std::string payload = R"({"sub":"alice","iat":1732280000,"exp":1732283600})";
  std::string unsigned_token =
      Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." + Base64UrlEncode(payload) + ".";
  ExpectRefused(unsigned_token, "algorithm 'none'");
  ExpectRefused(SignedToken(R"({"alg":"none","typ":"JWT"})", payload), "algorithm 'none'");
}

TEST_CASE("a token with an HS512 header is refused even when correctly signed", "[jwt]") {
  std::string payload = R"({"sub":"alice","iat":1732280000,"exp":1732283600})";
  ExpectRefused(SignedToken(R"({"alg":"HS512","typ":"JWT"})", payload), "algorithm 'HS512'");
  ExpectRefused(SignedToken(R"({"alg":"hs256","typ":"JWT"})", payload), "algorithm");
  ExpectRefused(SignedToken(R"({"typ":"JWT"})", payload), "algorithm");
  ExpectRefused(SignedToken(R"({"alg":"HS256","typ":"JWE"})", payload), "type");
  ExpectRefused(SignedToken(R"({"alg":"HS256","typ":"JWT","crit":["exp"]})", payload), "crit");
  CHECK(VerifyToken(SignedToken(R"({"alg":"HS256"})", payload), kSecret, kNow).ok());
}

TEST_CASE("malformed tokens are refused", "[jwt]") {
  std::string good = MintToken(Alice(), kSecret);
  ExpectRefused("", "three");
  ExpectRefused("abc", "three");
  ExpectRefused("a.b", "three");
  ExpectRefused(good + ".x", "three");
  ExpectRefused("!!!." + good.substr(good.find('.') + 1), "header");
  ExpectRefused(Base64UrlEncode("[1,2]") + good.substr(good.find('.')), "header");
  ExpectRefused(Base64UrlEncode("{\"alg\":") + good.substr(good.find('.')), "header");
  ExpectRefused(good.substr(0, good.rfind('.')) + ".abc=", "signature");
  ExpectRefused(SignedToken(kHeader, "[\"alice\"]"), "payload");
  ExpectRefused(SignedToken(kHeader, "not json"), "payload");
}

TEST_CASE("a token without a valid subject is refused", "[jwt]") {
  ExpectRefused(SignedToken(kHeader, R"({"iat":1,"exp":1832280000})"), "sub");
  ExpectRefused(SignedToken(kHeader, R"({"sub":42,"exp":1832280000})"), "sub");
  ExpectRefused(SignedToken(kHeader, R"({"sub":"Alice","exp":1832280000})"), "sub");
  ExpectRefused(SignedToken(kHeader, R"({"sub":"","exp":1832280000})"), "sub");
}

TEST_CASE("a token with mistyped claims is refused", "[jwt]") {
  ExpectRefused(SignedToken(kHeader, R"({"sub":"alice","exp":"tomorrow"})"), "exp");
  ExpectRefused(SignedToken(kHeader, R"({"sub":"alice","admin":"yes"})"), "admin");
  ExpectRefused(SignedToken(kHeader, R"({"sub":"alice","nbf":1832280000})"), "not valid yet");
}

TEST_CASE("a secret file loses one trailing newline", "[jwt]") {
  TempFile lf("0123456789abcdef\n");
  auto secret = ReadSecretFile(lf.path());
  REQUIRE(secret.ok());
  CHECK(*secret == "0123456789abcdef");
  TempFile crlf("0123456789abcdef\r\n");
  auto secret_crlf = ReadSecretFile(crlf.path());
  REQUIRE(secret_crlf.ok());
  CHECK(*secret_crlf == "0123456789abcdef");
  TempFile two("0123456789abcdef\n\n");
  auto secret_two = ReadSecretFile(two.path());
  REQUIRE(secret_two.ok());
  CHECK(*secret_two == "0123456789abcdef\n");
}

TEST_CASE("a missing or short secret file is an error naming the file", "[jwt]") {
  auto missing = ReadSecretFile("/nonexistent/chatctl-secret");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == "bad_request");
  CHECK_THAT(missing.error().message, Catch::Contains("/nonexistent/chatctl-secret") &&
                                          Catch::Contains("No such file or directory"));
  TempFile short_file("0123456789abcde\n");
  auto too_short = ReadSecretFile(short_file.path());
  REQUIRE_FALSE(too_short.ok());
  CHECK(too_short.error().code == "bad_request");
  CHECK_THAT(too_short.error().message, Catch::Contains(short_file.path()));
}

TEST_CASE("iat keeps its milliseconds as a fraction, and whole or absurd ones still read",
          "[jwt]") {
  TokenClaims claims = Alice();
  claims.IssuedAt(kNow * 1000 + 483);
  std::string token = MintToken(claims, kSecret);
  auto second = token.rfind('.');
  auto first = token.find('.');
  CHECK_THAT(*Base64UrlDecode(token.substr(first + 1, second - first - 1)),
             Catch::Contains(R"("iat":1732280000.483)"));
  auto verified = VerifyToken(token, kSecret, kNow);
  REQUIRE(verified.ok());
  CHECK(verified->iat == kNow);
  CHECK(verified->iat_ms == kNow * 1000 + 483);

  auto whole =
      VerifyToken(SignedToken(kHeader, R"({"sub":"alice","iat":1732280000})"), kSecret, kNow);
  REQUIRE(whole.ok());
  CHECK(whole->iat_ms == kNow * 1000);
  for (const char* far : {R"({"sub":"alice","iat":9.0e18})", R"({"sub":"alice","iat":-9.0e18})",
                          R"({"sub":"alice","iat":9000000000000000000})"}) {
    auto read = VerifyToken(SignedToken(kHeader, far), kSecret, kNow);
    REQUIRE(read.ok());
    CHECK((read->iat_ms == INT64_MAX || read->iat_ms == INT64_MIN));
  }
}
