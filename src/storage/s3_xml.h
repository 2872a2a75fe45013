// The XML documents S3 answers with, read into plain values. Kept apart from the HTTP
// calls so that what a (possibly hostile or broken) server sends can be tested and fuzzed
// without one. Keys come back exactly as the server spelled them: callers validate them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vodctl/storage.h"

namespace pugi {
class xml_document;
}

namespace vodctl {

// A document vodctl sends (a completion, a multi-object delete), unindented.
std::string XmlText(const pugi::xml_document& document);

// An error document (<Error><Code>..</Code><Message>..</Message></Error>). Both empty when the
// body is not one.
struct S3Error {
  std::string code;
  std::string message;
};
S3Error ParseS3Error(std::string_view body);

// The UploadId of an InitiateMultipartUploadResult; empty when there is none.
std::string ParseUploadId(std::string_view body);

// One page of a ListObjectsV2 answer, keys made relative to `root` (the storage's prefix).
// Keys outside `root` and folder markers (keys ending in '/') are left out.
struct S3ListPage {
  std::vector<ObjectInfo> objects;
  std::string continuation;  // the next page's token; empty on the last page
};
// nullopt when the body is not a ListBucketResult.
std::optional<S3ListPage> ParseListBucketResult(std::string_view body, std::string_view root);

// An unfinished multipart upload, as ListMultipartUploads reports it.
struct S3Upload {
  std::string key;
  std::string upload_id;
  std::string initiated;  // ISO 8601 (ParseIso8601), as the server wrote it
  bool operator==(const S3Upload&) const = default;
};

// One page of a ListMultipartUploads answer.
struct S3UploadsPage {
  std::vector<S3Upload> uploads;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_upload_id_marker;
};
// nullopt when the body is not a ListMultipartUploadsResult.
std::optional<S3UploadsPage> ParseListMultipartUploadsResult(std::string_view body);

// The first key a DeleteObjects answer reports as not deleted, with why; nullopt when none.
struct S3DeleteFailure {
  std::string key;
  S3Error error;
};
std::optional<S3DeleteFailure> ParseDeleteFailure(std::string_view body);

}  // namespace vodctl
