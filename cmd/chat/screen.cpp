// The ncursesw drawing of `chatctl chat` (see screen.h). Each frame is drawn whole with erase()
// and refresh(): curses sends only what changed, and a whole redraw keeps the code plain.
#include "cmd/chat/screen.h"

#include <curses.h>

#include <algorithm>
#include <cstdint>
#include <ctime>

#include "cmd/printable.h"
#include "lib/chat/text_width.h"

namespace chatctl::cmd::chat {

namespace {

using chatctl::chat::ChatLine;
using chatctl::chat::DisplayWidth;
using chatctl::chat::FitWidth;
using chatctl::chat::LineKind;
using chatctl::chat::Room;
using chatctl::chat::Widen;
using chatctl::chat::Wrap;

constexpr int kPairTitle = 7;
constexpr int kPairEvent = 8;
constexpr int kPairFailed = 9;

// Text from the network as something a terminal shows and does not obey.
std::wstring Safe(const std::string& text) { return Widen(Printable(text)); }

// Draws `text` at (y, x), cut to `width` columns.
void Put(int y, int x, std::wstring_view text, int width) {
  if (width <= 0) return;
  std::wstring fitted = FitWidth(text, width);
  mvaddnwstr(y, x, fitted.c_str(), static_cast<int>(fitted.size()));
}

std::wstring Clock(std::int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  char text[8];
  std::strftime(text, sizeof text, "%H:%M", &local);
  return Widen(text);
}

// One row of a message as drawn: the prefix (time and name, first row only) and a stretch of text.
struct Row {
  std::wstring time;
  std::wstring name;  // "<alice>", "* alice", "--"
  int name_color = 0;
  attr_t attrs = A_NORMAL;
  std::wstring text;
  int indent = 0;  // columns before `text` on rows after the first
};

// The rows `line` takes at `width` columns.
std::vector<Row> Layout(const ChatLine& line, int width, bool colors) {
  Row first;
  first.time = Clock(line.ts);
  std::wstring body;
  bool action = line.text.rfind("/me ", 0) == 0;
  if (line.kind == LineKind::kEvent) {
    first.name = L"--";
    first.attrs = colors ? COLOR_PAIR(kPairEvent) : A_DIM;
    body = Safe(line.text);
  } else if (action) {
    first.name = L"* " + Safe(line.from);
    body = Safe(line.text.substr(4));
  } else {
    first.name = L"<" + Safe(line.from) + L">";
    body = Safe(line.text);
  }
  if (line.kind != LineKind::kEvent && colors) first.name_color = NameColor(line.from);
  if (line.kind == LineKind::kPending) {
    body += L" \u2026";  // … until the ack comes
    first.attrs = A_DIM;
  } else if (line.kind == LineKind::kFailed) {
    body += L" [not sent: " + Safe(line.note) + L"]";
    first.attrs = colors ? COLOR_PAIR(kPairFailed) : A_BOLD;
  } else if (line.deleted) {
    body = L"(deleted)";
    first.attrs = A_DIM;
  } else if (line.edited) {
    body += L" (edited)";
  }
  if (!line.reactions.empty()) body += L" [" + Safe(line.reactions) + L"]";
  int prefix = DisplayWidth(first.time) + 1 + DisplayWidth(first.name) + 1;
  std::vector<Row> rows;
  if (prefix * 2 > width) {
    // A long name would leave no room for text: the whole line wraps from the left edge.
    for (auto& piece : Wrap(first.time + L" " + first.name + L" " + body, width)) {
      Row row;
      row.attrs = first.attrs;
      row.text = std::move(piece);
      rows.push_back(std::move(row));
    }
    return rows;
  }
  for (auto& piece : Wrap(body, width - prefix)) {
    Row row;
    if (rows.empty()) {
      row = first;
    } else {
      row.attrs = first.attrs;
      row.indent = prefix;
    }
    row.text = std::move(piece);
    rows.push_back(std::move(row));
  }
  return rows;
}

void DrawRow(int y, int x, int width, const Row& row) {
  int col = x;
  if (!row.time.empty()) {
    attron(row.attrs);
    Put(y, col, row.time, width);
    col += DisplayWidth(row.time) + 1;
    if (row.name_color != 0) attron(COLOR_PAIR(row.name_color) | A_BOLD);
    Put(y, col, row.name, x + width - col);
    if (row.name_color != 0) attroff(COLOR_PAIR(row.name_color) | A_BOLD);
    col += DisplayWidth(row.name) + 1;
    attron(row.attrs);
    Put(y, col, row.text, x + width - col);
    attroff(row.attrs);
    return;
  }
  attron(row.attrs);
  Put(y, x + row.indent, row.text, width - row.indent);
  attroff(row.attrs);
}

void DrawRoomList(const chatctl::chat::Rooms& rooms, int height, int width) {
  for (std::size_t i = 0; i < rooms.size() && static_cast<int>(i) + 1 < height; ++i) {
    const Room& room = rooms.at(i);
    std::wstring label = std::to_wstring(i + 1) + L" " + Safe(room.title);
    std::wstring count;
    if (room.unread > 0) count = (room.mention ? L"!" : L"") + std::to_wstring(room.unread);
    int y = static_cast<int>(i) + 1;
    bool active = i == rooms.active_index();
    if (active) attron(A_REVERSE);
    if (room.unread > 0 && !active) attron(A_BOLD);
    mvhline(y, 0, ' ', width - 1);
    Put(y, 0, label, width - 2 - DisplayWidth(count));
    Put(y, width - 1 - DisplayWidth(count), count, DisplayWidth(count));
    attroff(A_REVERSE | A_BOLD);
  }
  mvvline(1, width - 1, ACS_VLINE, height - 1);
}

}  // namespace

int NameColor(const std::string& name) {
  // FNV-1a: stable across runs and machines, unlike std::hash.
  std::uint32_t hash = 2166136261u;
  for (char c : name) hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
  return static_cast<int>(hash % 6) + 1;
}

void Screen::Draw(const View& view, Room* active) {
  if (view.colors && !pairs_ready_) {
    const short kNameColors[] = {COLOR_RED,  COLOR_GREEN,   COLOR_YELLOW,
                                 COLOR_BLUE, COLOR_MAGENTA, COLOR_CYAN};
    for (short i = 0; i < 6; ++i) init_pair(static_cast<short>(i + 1), kNameColors[i], -1);
    init_pair(kPairTitle, COLOR_WHITE, COLOR_BLUE);
    init_pair(kPairEvent, COLOR_CYAN, -1);
    init_pair(kPairFailed, COLOR_RED, -1);
    pairs_ready_ = true;
  }
  erase();
  int height = LINES;
  int width = COLS;
  if (width < kMinColumns || height < kMinRows) {
    std::wstring message = L"terminal too small (" + std::to_wstring(width) + L"x" +
                           std::to_wstring(height) + L"); chatctl chat needs " +
                           std::to_wstring(kMinColumns) + L"x" + std::to_wstring(kMinRows);
    int y = 0;
    for (const auto& row : Wrap(message, std::max(1, width))) {
      if (y >= height) break;
      Put(y++, 0, row, width);
    }
    refresh();
    return;
  }
  const chatctl::chat::Rooms& rooms = *view.rooms;
  int list_width = width >= 60 ? std::min(22, width / 5) : 0;
  int members_width = view.show_members && width >= 80 ? 18 : 0;
  int area_x = list_width;
  int area_width = width - list_width - members_width;
  int area_top = 1;
  int area_rows = height - 3;
  page_rows_ = std::max(1, area_rows - 1);

  // Title row: the room and its topic.
  attron(view.colors ? COLOR_PAIR(kPairTitle) : A_REVERSE);
  mvhline(0, 0, ' ', width);
  if (active != nullptr) {
    std::wstring title = Safe(active->title);
    if (!active->topic.empty()) title += L" \u2014 " + Safe(active->topic);
    Put(0, 1, title, width - 2);
  }
  attroff(view.colors ? COLOR_PAIR(kPairTitle) : A_REVERSE);

  if (list_width > 0) DrawRoomList(rooms, height - 2, list_width);

  // Messages, newest at the bottom: lay out from the newest line up until the area (and the
  // scroll) is filled, so a room of 10,000 lines costs a screenful of wrapping.
  at_top_ = true;
  if (active != nullptr) {
    int text_width = area_width - 2;  // a column of margin on each side
    std::vector<Row> rows;            // newest first
    int wanted = area_rows + active->scroll;
    auto it = active->lines.rbegin();
    for (; it != active->lines.rend() && static_cast<int>(rows.size()) < wanted; ++it) {
      std::vector<Row> laid = Layout(*it, text_width, view.colors);
      for (auto r = laid.rbegin(); r != laid.rend(); ++r) rows.push_back(std::move(*r));
    }
    at_top_ = it == active->lines.rend() && static_cast<int>(rows.size()) <= wanted;
    int most = std::max(0, static_cast<int>(rows.size()) - area_rows);
    if (active->scroll > most) active->scroll = most;
    int y = area_top + area_rows - 1;
    for (std::size_t k = static_cast<std::size_t>(active->scroll); k < rows.size() && y >= area_top;
         ++k, --y) {
      DrawRow(y, area_x + 1, text_width, rows[k]);
    }
  }

  if (members_width > 0 && active != nullptr) {
    int x = width - members_width;
    mvvline(1, x, ACS_VLINE, height - 3);
    Put(1, x + 2, L"members " + std::to_wstring(active->members.size()), members_width - 3);
    int y = 2;
    for (const auto& name : active->members) {
      if (y >= height - 2) break;
      if (view.colors) attron(COLOR_PAIR(NameColor(name)));
      Put(y++, x + 2, Safe(name), members_width - 3);
      if (view.colors) attroff(COLOR_PAIR(NameColor(name)));
    }
  }

  // Status row.
  attron(A_REVERSE);
  mvhline(height - 2, 0, ' ', width);
  // The status holds the node's close reason, and the hint names from the network: both Safe.
  std::wstring status = Safe(view.status);
  if (active != nullptr && active->scroll > 0) status += L" \u00b7 scrolled up (PgDn)";
  std::wstring hint = Safe(view.hint);
  int hint_width = std::min(DisplayWidth(hint), width / 2);
  Put(height - 2, 1, status, width - 2 - hint_width - 1);
  if (hint_width > 0) Put(height - 2, width - 1 - hint_width, hint, hint_width);
  attroff(A_REVERSE);

  // Input line: the prompt, then as much of the text as fits with the cursor in view. A newline
  // typed with Alt-Enter shows as ⏎.
  std::wstring prompt = Safe(view.prompt);
  int prompt_width = DisplayWidth(prompt);
  Put(height - 1, 0, prompt, width);
  std::wstring text = view.input->text();
  std::replace(text.begin(), text.end(), L'\n', L'\u23ce');
  std::replace(text.begin(), text.end(), L'\t', L' ');
  int room_for_text = std::max(1, width - prompt_width - 1);
  int cursor_col = view.input->CursorColumn();
  std::size_t start = 0;
  // Scroll the line left by whole characters until the cursor fits.
  while (cursor_col - DisplayWidth(std::wstring_view(text).substr(0, start)) >= room_for_text &&
         start < text.size()) {
    ++start;
  }
  std::wstring shown = text.substr(start);
  Put(height - 1, prompt_width, shown, room_for_text);
  move(height - 1,
       prompt_width + cursor_col - DisplayWidth(std::wstring_view(text).substr(0, start)));
  refresh();
}

}  // namespace chatctl::cmd::chat
