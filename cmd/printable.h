// Text from other people on its way to a terminal (tail's lines, admin's tables): shown, never
// obeyed. Shared by the subcommands that print what the node sends.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace chatctl::cmd {

// Text from the node goes to a terminal: control characters (C0, DEL, C1) are shown as escapes,
// not obeyed, and a newline cannot break a line. A tab is escaped too unless `keep_tabs` (it would
// break a table's columns, but reads well in a chat line).
inline std::string Printable(std::string_view text, bool keep_tabs = false) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += keep_tabs ? "\t" : "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else if (c == 0xc2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
      // C1 controls (U+0080..U+009F), among them a one-byte CSI.
      auto c1 = static_cast<unsigned char>(text[++i]);
      out += "\\u00";
      out += kHex[c1 >> 4];
      out += kHex[c1 & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace chatctl::cmd
