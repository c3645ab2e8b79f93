// The chat client's input line: readline-style editing of one (possibly multi-line) entry, a kill
// buffer, and the history of entries sent. Pure state, no terminal: the screen draws text() and
// puts the cursor at cursor_column(). Owned by the UI thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace chatctl::chat {

class InputLine {
 public:
  const std::wstring& text() const { return text_; }
  std::size_t cursor() const { return cursor_; }
  bool empty() const { return text_.empty(); }
  // Columns from the start of the line to the cursor.
  int CursorColumn() const;

  void Insert(wchar_t c);
  void Insert(std::wstring_view text);
  void Backspace();
  void Delete();
  void Left();
  void Right();
  void Home();          // Ctrl-A
  void End();           // Ctrl-E
  void WordLeft();      // Alt-B
  void WordRight();     // Alt-F
  void KillWordBack();  // Ctrl-W: the word before the cursor and the spaces after it
  void KillToStart();   // Ctrl-U
  void KillToEnd();     // Ctrl-K
  void Yank();          // Ctrl-Y: puts back what was killed last

  // Replaces the whole text, cursor at the end (editing a sent line, a completion).
  void Set(std::wstring text);
  // Replaces text_[from, cursor) with `replacement`, cursor after it (Tab completion).
  void ReplaceBeforeCursor(std::size_t from, std::wstring_view replacement);

  // ↑/↓ through the entries sent. ↑ from a line being typed keeps it, and ↓ past the newest brings
  // it back.
  void HistoryUp();
  void HistoryDown();

  // Takes the entry out for sending: remembers it in the history (not twice in a row, not empty)
  // and clears the line.
  std::wstring Take();

 private:
  std::wstring text_;
  std::size_t cursor_ = 0;
  std::wstring killed_;
  std::vector<std::wstring> history_;
  std::size_t history_pos_ = 0;  // == history_.size() when not browsing
  std::wstring draft_;           // the line being typed when browsing began
  static constexpr std::size_t kHistoryCap = 500;
};

}  // namespace chatctl::chat
