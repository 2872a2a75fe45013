// Job IDs made from what a job is about, so running the same command twice finds the same job.
#pragma once

#include <string>
#include <string_view>

namespace vodctl {

// `name` made valid (ValidateJobId) and readable, then '-' and 8 hex digits of the SHA-256 of
// `unique`: two jobs with the same name but different `unique` get different IDs.
std::string ReadableJobId(std::string_view name, std::string_view unique);

// The ID `ingest` gives the source at `key` (below its prefix), at the absolute URL `url`:
// "holiday/video.mp4" becomes "holiday-video-3f9a2c1b".
std::string IngestJobId(const std::string& key, const std::string& url);

}  // namespace vodctl
