// The terminal for `chatctl chat`: ncursesw set up (raw keys, no echo, keypad, mouse, colors
// unless NO_COLOR or TERM=dumb) and put back the way it was on every way out: the destructor,
// SIGINT/SIGTERM/SIGHUP (which only set a flag the UI loop reads), and a crash signal (whose
// handler puts the saved termios back and leaves the alternate screen with async-signal-safe
// calls, then dies of the signal as it would have). SIGWINCH is ncurses' own: it turns into
// KEY_RESIZE. Made and used by the UI thread only; one per process.
#pragma once

namespace chatctl::cmd::chat {

class Terminal {
 public:
  Terminal();
  ~Terminal();  // restores the terminal
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  bool colors() const { return colors_; }
  // True once SIGINT, SIGTERM or SIGHUP came.
  static bool StopRequested();

 private:
  bool colors_ = false;
};

}  // namespace chatctl::cmd::chat
