// One line per event on stderr, logfmt by default (`ts=… level=info msg="…" key=value`) or JSON.
// Thread-safe: each line is formatted first and written with one write(2).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chatctl::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kLogfmt, kJson };

// Set once at start-up, before any thread logs.
void Configure(Level level, Format format);
// "debug", "info", "warn", "error"; false for anything else.
bool ParseLevel(std::string_view text, Level& level);

using Fields = std::vector<std::pair<std::string, std::string>>;
void Write(Level level, std::string_view message, const Fields& fields = {});

inline void Debug(std::string_view m, const Fields& f = {}) { Write(Level::kDebug, m, f); }
inline void Info(std::string_view m, const Fields& f = {}) { Write(Level::kInfo, m, f); }
inline void Warn(std::string_view m, const Fields& f = {}) { Write(Level::kWarn, m, f); }
inline void Error(std::string_view m, const Fields& f = {}) { Write(Level::kError, m, f); }

}  // namespace chatctl::log
