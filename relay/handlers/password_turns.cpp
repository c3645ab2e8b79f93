// Password work in turns between addresses (see password_turns.h).
#include "relay/handlers/password_turns.h"

namespace chatctl::relay {

bool PasswordTurns::Add(const std::string& address, Job job) {
  if (waiting_ >= limits_.waiting) return false;
  auto& line = lines_[address];
  if (line.size() >= limits_.per_address) return false;
  if (line.empty()) turns_.push_back(address);
  line.push_back(std::move(job));
  ++waiting_;
  StartNext();
  return true;
}

void PasswordTurns::StartNext() {
  while (running_ < limits_.running && !turns_.empty()) {
    std::string address = std::move(turns_.front());
    turns_.pop_front();
    auto line = lines_.find(address);
    Job job = std::move(line->second.front());
    line->second.pop_front();
    --waiting_;
    if (line->second.empty()) {
      lines_.erase(line);
    } else {
      turns_.push_back(address);  // its next job waits for the other addresses' turns
    }
    ++running_;
    bool started = job([this] {
      --running_;
      StartNext();
    });
    if (!started) --running_;
  }
}

}  // namespace chatctl::relay
