// Diagnostics on stderr. Results (status tables, JSON) go to stdout and never through here.
#pragma once

#include <fmt/format.h>

#include <string_view>

namespace vodctl::log {

enum class Level { kQuiet = 0, kNormal = 1, kVerbose = 2 };

// kJson (--log-format json): one JSON object per line, for log shippers.
enum class Format { kText, kJson };

void SetLevel(Level level);
Level GetLevel();
void SetFormat(Format format);
Format GetFormat();
void Write(Level at_least, std::string_view line);
// The one line a failing command ends with; printed even with --quiet.
void WriteError(std::string_view line);

template <typename... Args>
void Info(fmt::format_string<Args...> format, Args&&... args) {
  if (GetLevel() >= Level::kNormal) Write(Level::kNormal, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void Debug(fmt::format_string<Args...> format, Args&&... args) {
  if (GetLevel() >= Level::kVerbose) Write(Level::kVerbose, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace vodctl::log
