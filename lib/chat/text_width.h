// Text as a terminal shows it: UTF-8 decoded to wide characters, each measured in columns
// (wcwidth: CJK and emoji take 2, combining marks 0), and wrapped to a width. The chat screen and
// its model measure with these so a line never spills past its column. Needs a UTF-8 locale
// (setlocale) for wcwidth to know wide characters; in the "C" locale everything outside ASCII is
// measured as one column.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chatctl::chat {

// Invalid bytes become U+FFFD, so text from the network can always be decoded and drawn.
std::wstring Widen(std::string_view utf8);
std::string Narrow(std::wstring_view text);

// Columns one character takes. Characters wcwidth cannot place (unassigned, or a locale that does
// not know them) count 1: the screen draws them as something one column wide.
int CharWidth(wchar_t c);
int DisplayWidth(std::wstring_view text);

// Splits `text` into rows of at most `width` columns (width >= 1), breaking after a space when
// one is in the row and inside a word otherwise. A character wider than the width gets a row of
// its own. Empty text is one empty row.
std::vector<std::wstring> Wrap(std::wstring_view text, int width);

// The longest prefix of `text` that fits `width` columns.
std::wstring FitWidth(std::wstring_view text, int width);

}  // namespace chatctl::chat
