// Drawing `chatctl chat` with ncursesw: the room list on the left, the messages of the room on
// screen in the middle (time, colored name, text wrapped to the width by display columns), the
// member list on the right when toggled, a title row, a status row and the input line. Everything
// from the network is made printable (cmd/printable.h) before it is drawn. A terminal too small to
// lay out gets a sentence saying so instead. Used by the UI thread only.
#pragma once

#include <string>
#include <vector>

#include "lib/chat/input_line.h"
#include "lib/chat/rooms.h"

namespace chatctl::cmd::chat {

// The smallest terminal the layout fits.
constexpr int kMinColumns = 40;
constexpr int kMinRows = 8;

struct View {
  const chatctl::chat::Rooms* rooms = nullptr;
  const chatctl::chat::InputLine* input = nullptr;
  std::string status;  // "alice@n1 · connected to ws://…"
  std::string prompt;  // before the input line: "#general> "; "switch to: " in the quick switcher
  std::string hint;    // shown on the status row's right: completion candidates, switcher matches
  bool show_members = false;
  bool colors = false;
};

class Screen {
 public:
  // Draws everything and places the cursor in the input line. Clamps the active room's scroll to
  // what it holds.
  void Draw(const View& view, chatctl::chat::Room* active);
  // True when the last Draw showed the oldest line the active room holds (PgUp there pages older
  // history from the node).
  bool at_top() const { return at_top_; }
  // Rows of the message area in the last Draw: what PgUp/PgDn scroll by.
  int page_rows() const { return page_rows_; }

 private:
  bool at_top_ = false;
  int page_rows_ = 10;
  bool pairs_ready_ = false;
};

// A stable color number (1..6) for a name, the same in every run.
int NameColor(const std::string& name);

}  // namespace chatctl::cmd::chat
