// What a CDN must forget when a job publishes over an earlier output. Media objects carry the
// publish tag in their names and never change; the fixed-name ones (playlists, the MPD, the
// result document, the thumbnail index) are rewritten in place, and a cache in front may keep
// serving the old bytes until it is told to purge them or their max-age runs out.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "vodctl/storage.h"

namespace vodctl {

// The fixed-name objects of `output` (ObjectKind::kPlaylist) with the SHA-256 of their bytes,
// {key: digest}, taken before a job writes any: a job keeps the first it took, so a resumed
// publish compares with the output as it was before the job, not as the job left it.
// Hidden keys (".vodctl-uploads/...") and a compressed playlist's local .gz twin are left out.
nlohmann::json FixedNameObjects(Storage& output);

// The keys of `before` (FixedNameObjects) whose bytes are now other, sorted: the URLs, below
// the output's public base, whose cached copies must be purged. An object gone or unchanged
// needs nothing.
std::vector<std::string> PurgeList(Storage& output, const nlohmann::json& before);

}  // namespace vodctl
