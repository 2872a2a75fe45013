#include "vodctl/log.h"

#include <cstdio>
#include <mutex>

namespace vodctl::log {
namespace {
Level g_level = Level::kNormal;
std::mutex g_mutex;
}  // namespace

void SetLevel(Level level) { g_level = level; }
Level GetLevel() { return g_level; }

void Write(Level at_least, std::string_view line) {
  if (g_level < at_least) return;
  std::lock_guard lock(g_mutex);
  std::fprintf(stderr, "vodctl: %.*s\n", static_cast<int>(line.size()), line.data());
}

}  // namespace vodctl::log
