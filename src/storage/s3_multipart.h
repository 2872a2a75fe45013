// Multipart uploads: how big files are cut into parts. The upload itself is S3Storage's
// (s3_multipart.cc), as it sends over the storage's connections.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vodctl {

// Where S3Storage marks the multipart uploads it starts, under its prefix: an empty object
// ".vodctl-uploads/<key>" lives from before an upload to <key> is created until it is
// completed or aborted. ListMultipartUploads can only match a raw string prefix, and
// another job's output may lie under this one's (an output at a bucket's root holds every
// other), so RemoveLeftovers goes by these markers and aborts uploads to their exact keys.
inline constexpr std::string_view kUploadMarkers = ".vodctl-uploads/";

// S3 takes at most this many parts in one upload.
inline constexpr int64_t kMaxParts = 10'000;

// The ETag S3 gives the object a multipart upload of parts with `part_etags` makes:
// "<hex MD5 of the parts' binary MD5s, concatenated>-<part count>", unquoted. Empty when a
// part's ETag is not the hex MD5 of its bytes (as with SSE-KMS), so nothing can be told.
std::string MultipartEtag(const std::vector<std::string>& part_etags);

// The configured part size, grown in whole MiB where the file would need more parts than S3
// allows.
int64_t PartSizeFor(int64_t file_size, int64_t configured);

}  // namespace vodctl
