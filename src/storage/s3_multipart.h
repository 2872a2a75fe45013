// Multipart uploads: how big files are cut into parts. The upload itself is S3Storage's
// (s3_multipart.cc), as it sends over the storage's connections.
#pragma once

#include <cstdint>

namespace vodctl {

// S3 takes at most this many parts in one upload.
inline constexpr int64_t kMaxParts = 10'000;

// The configured part size, grown in whole MiB where the file would need more parts than S3
// allows.
int64_t PartSizeFor(int64_t file_size, int64_t configured);

}  // namespace vodctl
