// The key table of `chatctl chat` (see keys.h).
#include "cmd/chat/keys.h"

#include <cstring>

namespace chatctl::cmd::chat {

namespace {

constexpr wint_t Ctrl(char c) { return static_cast<wint_t>(c & 0x1f); }

// Alt-←/→ as terminfo's extended names (xterm and tmux send ESC [1;3D and ESC [1;3C); 0 when the
// terminal has no such key.
int ExtendedKey(const char* name) {
  static char buffer[16];
  std::strncpy(buffer, name, sizeof buffer - 1);
  char* sequence = tigetstr(buffer);
  if (sequence == nullptr || sequence == reinterpret_cast<char*>(-1)) return 0;
  int code = key_defined(sequence);
  return code > 0 ? code : 0;
}

}  // namespace

KeyPress Translate(bool code, wint_t key, bool alt) {
  static const int kAltLeft = ExtendedKey("kLFT3");
  static const int kAltRight = ExtendedKey("kRIT3");
  if (code) {
    int k = static_cast<int>(key);
    if (k != 0 && k == kAltLeft) return {Action::kPreviousRoom};
    if (k != 0 && k == kAltRight) return {Action::kNextRoom};
    switch (k) {
      case KEY_ENTER:
        return {alt ? Action::kNewline : Action::kSubmit};
      case KEY_BACKSPACE:
        return {alt ? Action::kKillWord : Action::kBackspace};
      case KEY_DC:
        return {Action::kDelete};
      case KEY_LEFT:
        return {alt ? Action::kPreviousRoom : Action::kLeft};
      case KEY_RIGHT:
        return {alt ? Action::kNextRoom : Action::kRight};
      case KEY_HOME:
        return {Action::kHome};
      case KEY_END:
        return {Action::kEnd};
      case KEY_UP:
        return {Action::kUp};
      case KEY_DOWN:
        return {Action::kDown};
      case KEY_PPAGE:
        return {Action::kPageUp};
      case KEY_NPAGE:
        return {Action::kPageDown};
      case KEY_F(2):
        return {Action::kToggleMembers};
      case KEY_MOUSE:
        return {Action::kMouse};
      case KEY_RESIZE:
        return {Action::kResize};
      default:
        return {};
    }
  }
  if (alt) {
    if (key >= L'1' && key <= L'9') return {Action::kRoom, 0, static_cast<int>(key - L'1')};
    switch (key) {
      case L'\r':
      case L'\n':
        return {Action::kNewline};
      case L'b':
        return {Action::kWordLeft};
      case L'f':
        return {Action::kWordRight};
      case L'a':
        return {Action::kNextUnread};
      case L'm':
        return {Action::kToggleMembers};
      case 127:
      case 8:
        return {Action::kKillWord};
      default:
        return {Action::kCancel};  // a lone Esc, or an Alt key with no meaning here
    }
  }
  switch (key) {
    case L'\r':
    case L'\n':
      return {Action::kSubmit};
    case 127:
    case 8:
      return {Action::kBackspace};
    case L'\t':
      return {Action::kComplete};
    case 27:
      return {Action::kCancel};
    default:
      break;
  }
  if (key == Ctrl('a')) return {Action::kHome};
  if (key == Ctrl('e')) return {Action::kEnd};
  if (key == Ctrl('b')) return {Action::kLeft};
  if (key == Ctrl('f')) return {Action::kRight};
  if (key == Ctrl('w')) return {Action::kKillWord};
  if (key == Ctrl('u')) return {Action::kKillStart};
  if (key == Ctrl('k')) return {Action::kKillEnd};
  if (key == Ctrl('y')) return {Action::kYank};
  if (key == Ctrl('p')) return {Action::kPreviousRoom};
  if (key == Ctrl('n')) return {Action::kNextRoom};
  if (key == Ctrl('l')) return {Action::kRedraw};
  if (key == Ctrl('c')) return {Action::kQuit};
  if (key == Ctrl('d')) return {Action::kQuit, static_cast<wchar_t>(Ctrl('d'))};
  if (key < 0x20) return {};
  return {Action::kInsert, static_cast<wchar_t>(key)};
}

}  // namespace chatctl::cmd::chat
