// UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
#pragma once

#include <cstddef>
#include <string_view>

namespace chatctl {

bool IsValidUtf8(std::string_view text);
// Number of code points in valid UTF-8 text.
std::size_t CountCodePoints(std::string_view text);

}  // namespace chatctl
