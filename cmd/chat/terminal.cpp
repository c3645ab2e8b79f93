// Setting up and restoring the terminal for `chatctl chat` (see terminal.h).
#include "cmd/chat/terminal.h"

#include <curses.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace chatctl::cmd::chat {

namespace {

volatile std::sig_atomic_t g_stop = 0;
termios g_saved{};
bool g_have_saved = false;

void OnStop(int) { g_stop = 1; }

// Only async-signal-safe calls: the terminal's modes back, the alternate screen and mouse
// reporting off, the cursor shown; then the signal again with its default action (a core dump).
void OnCrash(int sig) {
  if (g_have_saved) tcsetattr(STDIN_FILENO, TCSANOW, &g_saved);
  static const char kReset[] = "\x1b[?1000l\x1b[?1002l\x1b[?1006l\x1b[?1049l\x1b[?25h\x1b[0m\r\n";
  [[maybe_unused]] auto written = write(STDOUT_FILENO, kReset, sizeof kReset - 1);
  signal(sig, SIG_DFL);
  raise(sig);
}

void Install(int sig, void (*handler)(int)) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  // No SA_RESTART: a stop signal should cut the UI's poll() short.
  sigaction(sig, &action, nullptr);
}

}  // namespace

Terminal::Terminal() {
  g_have_saved = tcgetattr(STDIN_FILENO, &g_saved) == 0;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) Install(sig, OnStop);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) Install(sig, OnCrash);
  // Alt-x comes as ESC x: wait only briefly for the x after an ESC.
  if (std::getenv("ESCDELAY") == nullptr) set_escdelay(25);
  initscr();
  raw();
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  nodelay(stdscr, TRUE);
  mousemask(BUTTON4_PRESSED | BUTTON5_PRESSED, nullptr);
  const char* term = std::getenv("TERM");
  bool no_color = std::getenv("NO_COLOR") != nullptr && std::getenv("NO_COLOR")[0] != '\0';
  if (has_colors() && !no_color && !(term != nullptr && std::strcmp(term, "dumb") == 0)) {
    start_color();
    use_default_colors();
    colors_ = true;
  }
}

Terminal::~Terminal() {
  mousemask(0, nullptr);
  endwin();
  if (g_have_saved) tcsetattr(STDIN_FILENO, TCSANOW, &g_saved);
}

bool Terminal::StopRequested() { return g_stop != 0; }

}  // namespace chatctl::cmd::chat
