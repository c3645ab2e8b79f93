// For the responsiveness benchmark (bench/chat_responsiveness.sh): when $CHATCTL_CHAT_STATS names
// a file, the UI loop records, for each wake-up that read keys, the time from poll() returning to
// the redraw written to the terminal, and writes percentiles there on exit. Off (one branch per
// wake-up) otherwise. UI thread only.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace chatctl::cmd::chat {

class KeyLatency {
 public:
  KeyLatency() {
    if (const char* path = std::getenv("CHATCTL_CHAT_STATS")) path_ = path;
  }
  ~KeyLatency() {
    if (path_.empty() || samples_.empty()) return;
    std::sort(samples_.begin(), samples_.end());
    auto at = [&](double q) {
      return samples_[static_cast<std::size_t>(q * static_cast<double>(samples_.size() - 1))];
    };
    std::ofstream out(path_);
    out << "key_to_screen_us n=" << samples_.size() << " p50=" << at(0.5) << " p90=" << at(0.9)
        << " p99=" << at(0.99) << " max=" << samples_.back() << "\n";
  }
  KeyLatency(const KeyLatency&) = delete;
  KeyLatency& operator=(const KeyLatency&) = delete;

  void Woke() {
    if (!path_.empty()) woke_ = std::chrono::steady_clock::now();
  }
  void Drawn() {
    if (path_.empty()) return;
    samples_.push_back(std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - woke_)
                           .count());
  }

 private:
  std::string path_;
  std::chrono::steady_clock::time_point woke_;
  std::vector<std::int64_t> samples_;
};

}  // namespace chatctl::cmd::chat
