#include "pipeline/artefact.h"

#include "util/sha256.h"

#include <fmt/format.h>

#include <string_view>

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

std::optional<std::string> ArtefactRecordProblem(const nlohmann::json& record, bool with_frames) {
  if (!record.is_object()) return "is not a JSON object";
  for (const char* count : {"size", "frames"}) {
    if (count == std::string_view("frames") && !with_frames) continue;
    if (!record.contains(count) || !record.at(count).is_number_unsigned()) {
      return fmt::format("has no whole number '{}'", count);
    }
  }
  const auto sha256 = record.find("sha256");
  if (sha256 == record.end() || !sha256->is_string() || sha256->get<std::string>().size() != 64) {
    return "has no 64-digit 'sha256'";
  }
  return std::nullopt;
}

}  // namespace vodctl
