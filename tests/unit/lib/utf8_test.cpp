// Unit tests of UTF-8 validation (lib/utf8.h): what RFC 3629 allows and each way to break it.
#include <catch2/catch.hpp>

#include <string>

#include "lib/utf8.h"

using chatctl::CountCodePoints;
using chatctl::IsValidUtf8;

TEST_CASE("ASCII and well-formed multi-byte text are valid", "[utf8]") {
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("hello, world; a line long enough for the word-at-a-time path"));
  CHECK(IsValidUtf8("caf\xC3\xA9"));           // U+00E9
  CHECK(IsValidUtf8("\xE2\x82\xAC"));          // U+20AC
  CHECK(IsValidUtf8("\xF0\x9F\x98\x80"));      // U+1F600
  CHECK(IsValidUtf8("\xF4\x8F\xBF\xBF"));      // U+10FFFF, the last one
  CHECK(IsValidUtf8("\xED\x9F\xBF"));          // U+D7FF, just below the surrogates
  CHECK(IsValidUtf8("\xEE\x80\x80"));          // U+E000, just above them
  CHECK(IsValidUtf8(std::string("a\0b", 3)));  // NUL is valid UTF-8
  CHECK(
      IsValidUtf8("12345678\xC3\xA9"
                  "12345678"));  // multi-byte between ASCII words
}

TEST_CASE("overlong encodings are invalid", "[utf8]") {
  CHECK_FALSE(IsValidUtf8("\xC0\xAF"));  // '/' in two bytes
  CHECK_FALSE(IsValidUtf8("\xC1\xBF"));
  CHECK_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // '/' in three bytes
  CHECK_FALSE(IsValidUtf8("\xE0\x9F\xBF"));      // U+07FF in three bytes
  CHECK_FALSE(IsValidUtf8("\xF0\x80\x80\xAF"));  // '/' in four bytes
  CHECK_FALSE(IsValidUtf8("\xF0\x8F\xBF\xBF"));  // U+FFFF in four bytes
}

TEST_CASE("surrogates are invalid", "[utf8]") {
  CHECK_FALSE(IsValidUtf8("\xED\xA0\x80"));              // U+D800
  CHECK_FALSE(IsValidUtf8("\xED\xBF\xBF"));              // U+DFFF
  CHECK_FALSE(IsValidUtf8("\xED\xA0\xBD\xED\xB8\x80"));  // a CESU-8 style pair
}

TEST_CASE("code points above U+10FFFF are invalid", "[utf8]") {
  CHECK_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // U+110000
  CHECK_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
  CHECK_FALSE(IsValidUtf8("\xF8\x88\x80\x80\x80"));
  CHECK_FALSE(IsValidUtf8("\xFF"));
  CHECK_FALSE(IsValidUtf8("\xFE"));
}

TEST_CASE("truncated sequences and stray continuation bytes are invalid", "[utf8]") {
  CHECK_FALSE(IsValidUtf8("\xC3"));
  CHECK_FALSE(IsValidUtf8("\xE2\x82"));
  CHECK_FALSE(IsValidUtf8("\xF0\x9F\x98"));
  CHECK_FALSE(IsValidUtf8("abc\xF0\x9F\x98"));
  CHECK_FALSE(IsValidUtf8("\xE2\x82z"));  // cut short by an ASCII byte
  CHECK_FALSE(IsValidUtf8("\x80"));
  CHECK_FALSE(
      IsValidUtf8("abcdefgh\xBF"
                  "abcdefgh"));
  CHECK_FALSE(IsValidUtf8("\xC3\xA9\xA9"));
}

TEST_CASE("code points are counted, not bytes", "[utf8]") {
  CHECK(CountCodePoints("") == 0);
  CHECK(CountCodePoints("abc") == 3);
  CHECK(CountCodePoints("caf\xC3\xA9") == 4);
  CHECK(CountCodePoints("\xF0\x9F\x98\x80\xE2\x82\xAC") == 2);
}
