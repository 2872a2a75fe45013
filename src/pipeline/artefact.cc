#include "pipeline/artefact.h"

#include "util/sha256.h"

#include <fmt/format.h>

namespace vodctl {

std::optional<std::string> CheckArtefact(Storage& storage, const std::string& key,
                                         const nlohmann::json& record) {
  if (!record.is_object() || !record.contains("size") || !record.contains("sha256")) {
    return "no record of it";
  }
  std::optional<ObjectInfo> info = storage.Stat(key);
  if (!info) return "missing";
  const int64_t expected = record.at("size").get<int64_t>();
  if (info->size != expected) return fmt::format("{} bytes, expected {}", info->size, expected);
  if (Sha256::OfFile(storage.LocalPathForRead(key)) != record.at("sha256").get<std::string>()) {
    return "checksum differs";
  }
  return std::nullopt;
}

}  // namespace vodctl
