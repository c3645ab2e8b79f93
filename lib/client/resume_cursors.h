// Where a client is in each channel it follows, so that a reconnect to any node of the cluster
// resumes exactly: the resume cursor (lib/cursor.h) from `joined`, advanced by every message given
// after it. Against a node that sends no cursor there is none, and the caller falls back to
// `since` (exact only within what one node accepts). Owned by the caller's thread; no I/O.
#pragma once

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "lib/cursor.h"
#include "lib/message.h"

namespace chatctl {

class ResumeCursors {
 public:
  // A `joined` reply for `channel`: its cursor becomes the channel's, or, without one (a node
  // that does not give them, a cut `since` replay), the channel has none.
  void Joined(const std::string& channel, const nlohmann::json& joined);
  // A message given to the user (replayed or live). One without origin and seq (seq 0: a node
  // that does not send them) leaves the channel without a cursor.
  void Given(const Message& m);
  // A channel left for good: its next join starts afresh.
  void Forget(const std::string& channel) { cursors_.erase(channel); }
  // The `cursor` of the channel's next join, when one is known.
  std::optional<std::string> For(const std::string& channel) const;

 private:
  std::map<std::string, ResumeCursor> cursors_;
};

}  // namespace chatctl
