// Editing operations of the input line (see input_line.h). Words are runs of anything but spaces,
// as readline's Ctrl-W sees them.
#include "lib/chat/input_line.h"

#include <cwctype>

#include "lib/chat/text_width.h"

namespace chatctl::chat {

namespace {

bool IsSpace(wchar_t c) { return c == L' ' || c == L'\n' || c == L'\t'; }

}  // namespace

int InputLine::CursorColumn() const {
  return DisplayWidth(std::wstring_view(text_).substr(0, cursor_));
}

void InputLine::Insert(wchar_t c) {
  text_.insert(cursor_, 1, c);
  ++cursor_;
}

void InputLine::Insert(std::wstring_view text) {
  text_.insert(cursor_, text);
  cursor_ += text.size();
}

void InputLine::Backspace() {
  if (cursor_ == 0) return;
  text_.erase(--cursor_, 1);
}

void InputLine::Delete() {
  if (cursor_ < text_.size()) text_.erase(cursor_, 1);
}

void InputLine::Left() {
  if (cursor_ > 0) --cursor_;
}

void InputLine::Right() {
  if (cursor_ < text_.size()) ++cursor_;
}

void InputLine::Home() { cursor_ = 0; }
void InputLine::End() { cursor_ = text_.size(); }

void InputLine::WordLeft() {
  while (cursor_ > 0 && IsSpace(text_[cursor_ - 1])) --cursor_;
  while (cursor_ > 0 && !IsSpace(text_[cursor_ - 1])) --cursor_;
}

void InputLine::WordRight() {
  while (cursor_ < text_.size() && IsSpace(text_[cursor_])) ++cursor_;
  while (cursor_ < text_.size() && !IsSpace(text_[cursor_])) ++cursor_;
}

void InputLine::KillWordBack() {
  std::size_t end = cursor_;
  WordLeft();
  killed_ = text_.substr(cursor_, end - cursor_);
  text_.erase(cursor_, end - cursor_);
}

void InputLine::KillToStart() {
  killed_ = text_.substr(0, cursor_);
  text_.erase(0, cursor_);
  cursor_ = 0;
}

void InputLine::KillToEnd() {
  killed_ = text_.substr(cursor_);
  text_.resize(cursor_);
}

void InputLine::Yank() { Insert(std::wstring_view(killed_)); }

void InputLine::Set(std::wstring text) {
  text_ = std::move(text);
  cursor_ = text_.size();
}

void InputLine::ReplaceBeforeCursor(std::size_t from, std::wstring_view replacement) {
  if (from > cursor_) from = cursor_;
  text_.replace(from, cursor_ - from, replacement);
  cursor_ = from + replacement.size();
}

void InputLine::HistoryUp() {
  if (history_pos_ == 0) return;
  if (history_pos_ == history_.size()) draft_ = text_;
  Set(history_[--history_pos_]);
}

void InputLine::HistoryDown() {
  if (history_pos_ >= history_.size()) return;
  ++history_pos_;
  Set(history_pos_ == history_.size() ? draft_ : history_[history_pos_]);
}

std::wstring InputLine::Take() {
  std::wstring taken = std::move(text_);
  text_.clear();
  cursor_ = 0;
  if (!taken.empty() && (history_.empty() || history_.back() != taken)) {
    history_.push_back(taken);
    if (history_.size() > kHistoryCap) history_.erase(history_.begin());
  }
  history_pos_ = history_.size();
  draft_.clear();
  return taken;
}

}  // namespace chatctl::chat
