// What a key pressed in `chatctl chat` does, as a table from curses key codes (with Alt, which
// terminals send as ESC before the key) to actions. The key table in man/chatctl-chat.1 and
// docs/cli.md is this file's. Used by the UI thread.
#pragma once

#include <curses.h>

namespace chatctl::cmd::chat {

enum class Action {
  kNone,
  kInsert,  // ch
  kSubmit,
  kNewline,  // Alt-Enter
  kBackspace,
  kDelete,
  kLeft,
  kRight,
  kHome,
  kEnd,
  kWordLeft,
  kWordRight,
  kKillWord,
  kKillStart,
  kKillEnd,  // Ctrl-K; on an empty line, the quick switcher
  kYank,
  kUp,
  kDown,
  kPageUp,
  kPageDown,
  kPreviousRoom,
  kNextRoom,
  kRoom,  // room: 0-based, Alt-1..9
  kNextUnread,
  kRedraw,
  kComplete,
  kCancel,  // Esc: leaves the quick switcher, stops editing a sent message
  kToggleMembers,
  kMouse,
  kResize,
  kQuit,  // Ctrl-C, Ctrl-D on an empty line
};

struct KeyPress {
  Action action = Action::kNone;
  wchar_t ch = 0;
  int room = 0;
};

// `code`: true when get_wch said KEY_CODE_YES. `alt`: an ESC came just before.
KeyPress Translate(bool code, wint_t key, bool alt);

}  // namespace chatctl::cmd::chat
