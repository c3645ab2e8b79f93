// Per-channel resume cursors of a client (see resume_cursors.h).
#include "lib/client/resume_cursors.h"

namespace chatctl {

void ResumeCursors::Joined(const std::string& channel, const nlohmann::json& joined) {
  auto cursor = joined.find("cursor");
  if (cursor == joined.end() || !cursor->is_string()) {
    cursors_.erase(channel);
    return;
  }
  auto parsed = ParseCursor(cursor->get_ref<const std::string&>());
  if (!parsed.ok()) {
    cursors_.erase(channel);
    return;
  }
  cursors_[channel] = std::move(parsed).value();
}

void ResumeCursors::Given(const Message& m) {
  auto it = cursors_.find(m.channel);
  if (it == cursors_.end()) return;
  if (m.seq == 0) {
    cursors_.erase(it);
    return;
  }
  Advance(it->second, m.origin, m.seq);
}

std::optional<std::string> ResumeCursors::For(const std::string& channel) const {
  auto it = cursors_.find(channel);
  if (it == cursors_.end()) return std::nullopt;
  return FormatCursor(it->second);
}

}  // namespace chatctl
