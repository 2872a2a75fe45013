#include "util/unique_name.h"

#include <fmt/format.h>
#include <limits.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <random>

namespace vodctl {

std::string HostNameForFiles(std::string_view name) {
  std::string safe(name.substr(0, 64));
  for (char& c : safe) {
    const bool kept = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '.' || c == '-';
    if (!kept) c = '_';
  }
  return safe.empty() ? "host" : safe;
}

const std::string& ProcessTag() {
  static const std::string tag = [] {
    char host[HOST_NAME_MAX + 1] = {};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    std::random_device random;
    const uint64_t nonce = (uint64_t{random()} << 32) ^ random();
    return fmt::format("{}-{}-{:016x}", HostNameForFiles(host), ::getpid(), nonce);
  }();
  return tag;
}

std::string UniqueName() {
  static std::atomic<uint64_t> counter{0};
  return fmt::format("{}-{}", ProcessTag(), counter++);
}

}  // namespace vodctl
