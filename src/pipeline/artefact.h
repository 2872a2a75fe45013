// Checking an intermediate file against what was recorded when it was stored, so a resume
// never trusts an artefact that is missing, truncated or altered.
#pragma once

#include "vodctl/storage.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace vodctl {

// `record` holds "size" and "sha256" as written. Returns why the artefact is bad ("missing",
// "512 bytes, expected 4096", "checksum differs"), or nothing when it is intact.
std::optional<std::string> CheckArtefact(Storage& storage, const std::string& key,
                                         const nlohmann::json& record);

}  // namespace vodctl
