// Tab completion (see completion.h).
#include "lib/chat/completion.h"

#include <algorithm>

#include "lib/chat/text_width.h"

namespace chatctl::chat {

std::vector<std::string> Complete(InputLine& line, const CompletionSources& sources) {
  const std::wstring& text = line.text();
  std::size_t end = line.cursor();
  std::size_t start = end;
  while (start > 0 && text[start - 1] != L' ' && text[start - 1] != L'\n') --start;
  std::string word = Narrow(std::wstring_view(text).substr(start, end - start));
  bool line_start = start == 0;

  std::vector<std::string> pool;
  std::string prefix;  // put back before the completed name
  std::string lookup = word;
  if (line_start && !word.empty() && word[0] == '/') {
    pool = sources.commands;
  } else if (!word.empty() && word[0] == '#') {
    pool = sources.rooms;
    prefix = "#";
    lookup = word.substr(1);
  } else {
    pool = sources.users;
    if (!word.empty() && word[0] == '@') {
      prefix = "@";
      lookup = word.substr(1);
    }
  }
  std::vector<std::string> matches;
  for (const auto& candidate : pool) {
    if (candidate.compare(0, lookup.size(), lookup) == 0) matches.push_back(candidate);
  }
  std::sort(matches.begin(), matches.end());
  matches.erase(std::unique(matches.begin(), matches.end()), matches.end());
  if (matches.empty()) return matches;

  std::string common = matches.front();
  for (const auto& m : matches) {
    std::size_t k = 0;
    while (k < common.size() && k < m.size() && common[k] == m[k]) ++k;
    common.resize(k);
  }
  std::string replacement = prefix + common;
  if (matches.size() == 1) {
    // "bob: " addresses bob at the start of a line; a command or room just gets its space.
    bool name_first = line_start && prefix.empty() && !(!word.empty() && word[0] == '/');
    replacement += name_first ? ": " : " ";
  }
  line.ReplaceBeforeCursor(start, Widen(replacement));
  return matches;
}

}  // namespace chatctl::chat
