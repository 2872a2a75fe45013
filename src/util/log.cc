#include "vodctl/log.h"

#include "util/json_log_line.h"

#include <chrono>
#include <cstdio>
#include <mutex>

namespace vodctl::log {
namespace {
Level g_level = Level::kNormal;
Format g_format = Format::kText;
std::mutex g_mutex;

void Print(std::string_view level, std::string_view line) {
  std::lock_guard lock(g_mutex);
  if (g_format == Format::kJson) {
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    std::fprintf(stderr, "%s\n", JsonLogLine(now_ms, level, line).c_str());
  } else {
    std::fprintf(stderr, "vodctl: %.*s\n", static_cast<int>(line.size()), line.data());
  }
}

}  // namespace

void SetLevel(Level level) { g_level = level; }
Level GetLevel() { return g_level; }
void SetFormat(Format format) { g_format = format; }
Format GetFormat() { return g_format; }

void Write(Level at_least, std::string_view line) {
  if (g_level < at_least) return;
  Print(at_least == Level::kVerbose ? "debug" : "info", line);
}

void WriteError(std::string_view line) { Print("error", line); }

}  // namespace vodctl::log
