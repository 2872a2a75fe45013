#include "pipeline/purge_list.h"

#include <algorithm>

#include "util/sha256.h"
#include "vodctl/publish_policy.h"

namespace vodctl {
namespace {

bool IsHidden(const std::string& key) { return key.starts_with('.') || key.find("/.") != std::string::npos; }

}  // namespace

nlohmann::json FixedNameObjects(Storage& output) {
  nlohmann::json objects = nlohmann::json::object();
  for (const ObjectInfo& object : output.List("")) {
    if (IsHidden(object.key) || object.key.ends_with(".gz") ||
        ObjectKindOf(object.key) != ObjectKind::kPlaylist) {
      continue;
    }
    objects[object.key] = Sha256::Of(output.Read(object.key));
  }
  return objects;
}

std::vector<std::string> PurgeList(Storage& output, const nlohmann::json& before) {
  std::vector<std::string> purge;
  for (const auto& [key, digest] : before.items()) {
    if (!output.Stat(key)) continue;
    if (Sha256::Of(output.Read(key)) != digest.get<std::string>()) purge.push_back(key);
  }
  std::sort(purge.begin(), purge.end());
  return purge;
}

}  // namespace vodctl
