// Decoding, measuring and wrapping for the chat screen (see text_width.h).
#include "lib/chat/text_width.h"

#include <cwchar>

namespace chatctl::chat {

namespace {

constexpr wchar_t kReplacement = 0xFFFD;

// Length of the UTF-8 sequence led by `lead`, and the bits it contributes; 0 when it cannot lead.
int SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

}  // namespace

std::wstring Widen(std::string_view utf8) {
  std::wstring out;
  out.reserve(utf8.size());
  std::size_t i = 0;
  while (i < utf8.size()) {
    auto lead = static_cast<unsigned char>(utf8[i]);
    int length = SequenceLength(lead);
    if (length == 1) {
      out += static_cast<wchar_t>(lead);
      ++i;
      continue;
    }
    if (length == 0 || i + static_cast<std::size_t>(length) > utf8.size()) {
      out += kReplacement;
      ++i;
      continue;
    }
    char32_t code = lead & (0xFFu >> (length + 1));
    bool valid = true;
    for (int k = 1; k < length; ++k) {
      auto next = static_cast<unsigned char>(utf8[i + static_cast<std::size_t>(k)]);
      if ((next & 0xC0) != 0x80) {
        valid = false;
        break;
      }
      code = (code << 6) | (next & 0x3Fu);
    }
    // Overlongs, surrogates and values past U+10FFFF are not characters.
    bool overlong = (length == 3 && code < 0x800) || (length == 4 && code < 0x10000);
    if (!valid || overlong || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) {
      out += kReplacement;
      ++i;
      continue;
    }
    out += static_cast<wchar_t>(code);
    i += static_cast<std::size_t>(length);
  }
  return out;
}

std::string Narrow(std::wstring_view text) {
  std::string out;
  out.reserve(text.size());
  for (wchar_t wc : text) {
    auto c = static_cast<char32_t>(wc);
    if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = kReplacement;
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

int CharWidth(wchar_t c) {
  int w = wcwidth(c);
  return w < 0 ? 1 : w;
}

int DisplayWidth(std::wstring_view text) {
  int width = 0;
  for (wchar_t c : text) width += CharWidth(c);
  return width;
}

std::vector<std::wstring> Wrap(std::wstring_view text, int width) {
  if (width < 1) width = 1;
  std::vector<std::wstring> rows;
  std::wstring row;
  int row_width = 0;
  for (wchar_t c : text) {
    int w = CharWidth(c);
    if (row_width + w > width && !row.empty()) {
      // Break after the last space in the row, carrying the partial word over, when there is one.
      std::size_t space = row.find_last_of(L' ');
      if (c != L' ' && space != std::wstring::npos && space + 1 < row.size()) {
        std::wstring carry = row.substr(space + 1);
        row.resize(space + 1);
        rows.push_back(std::move(row));
        row = std::move(carry);
        row_width = DisplayWidth(row);
        if (row_width + w > width) {  // a wide character after a carried word that fills the row
          rows.push_back(std::move(row));
          row.clear();
          row_width = 0;
        }
      } else {
        rows.push_back(std::move(row));
        row.clear();
        row_width = 0;
        if (c == L' ') continue;  // a space at a break is the break itself
      }
    }
    row += c;
    row_width += w;
  }
  rows.push_back(std::move(row));
  return rows;
}

std::wstring FitWidth(std::wstring_view text, int width) {
  std::wstring out;
  int used = 0;
  for (wchar_t c : text) {
    int w = CharWidth(c);
    if (used + w > width) break;
    out += c;
    used += w;
  }
  return out;
}

}  // namespace chatctl::chat
