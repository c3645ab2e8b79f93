// Tab completion on the input line: the word before the cursor completed as a /command (at the
// start of the line), a #room, or a user name ("bob: " at the start of a line, "bob " elsewhere).
// One candidate completes; several complete their common prefix and are listed back. Pure: the UI
// thread gives the candidates.
#pragma once

#include <string>
#include <vector>

#include "lib/chat/input_line.h"

namespace chatctl::chat {

struct CompletionSources {
  std::vector<std::string> commands;  // "/join", ...
  std::vector<std::string> rooms;     // "general" (completed as "#general")
  std::vector<std::string> users;     // "bob"
};

// Completes `line` in place. Returns the candidates that matched (empty: nothing did).
std::vector<std::string> Complete(InputLine& line, const CompletionSources& sources);

}  // namespace chatctl::chat
