#include "pipeline/job_id.h"

#include "util/sha256.h"

#include <cctype>
#include <filesystem>

namespace vodctl {
namespace {
// Leaves room for the hash within the 128 characters ValidateJobId allows.
constexpr size_t kMaxNameLength = 64;
}  // namespace

std::string ReadableJobId(std::string_view name, std::string_view unique) {
  std::string clean;
  for (char c : name) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    clean += ok ? c : '-';
  }
  if (clean.empty() || clean.front() == '.') clean = "job" + clean;
  if (clean.size() > kMaxNameLength) clean.resize(kMaxNameLength);
  return clean + "-" + Sha256::Of(unique).substr(0, 8);
}

std::string IngestJobId(const std::string& key, const std::string& url) {
  std::filesystem::path path(key);
  // The folders are part of the name: "a/clip.mp4" and "b/clip.mp4" read differently.
  return ReadableJobId((path.parent_path() / path.stem()).string(), url);
}

}  // namespace vodctl
