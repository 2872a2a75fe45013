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

// What is wrong with the shape of a record read back from tmp ("is not a JSON object", "has no
// whole number 'size'"), or nothing when it is {size, sha256} as stored (and a whole number
// "frames" too when `with_frames`). Records in tmp may be anything, and everything that reads
// them (CheckArtefact, concat) relies on these members and types.
std::optional<std::string> ArtefactRecordProblem(const nlohmann::json& record, bool with_frames);

}  // namespace vodctl
