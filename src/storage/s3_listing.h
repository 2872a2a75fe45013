// Listings of a bucket, page by page (the objects under a prefix, the unfinished multipart
// uploads to a key), and deletes of many objects at once.
#pragma once

#include <string>
#include <vector>

#include "storage/curl_handle.h"
#include "storage/s3_client.h"
#include "storage/s3_config.h"
#include "storage/s3_request.h"
#include "storage/s3_xml.h"
#include "vodctl/storage.h"

namespace vodctl {

// A server whose pages do not advance fails the listing (Error(kIoError)) instead of having
// it go on for ever.
class S3Listing {
 public:
  // Sends over `transport`, which must be used by one thread at a time; `client`,
  // `transport` and `config` must outlive the listing.
  S3Listing(S3Client& client, HttpTransport& transport, const S3Config& config);

  // The objects under the URL's prefix + `prefix`, keys relative to the URL's prefix, sorted.
  std::vector<ObjectInfo> Objects(const std::string& prefix);
  // The unfinished multipart uploads to exactly `object_key` (a full key): the listing goes
  // by string prefix, which also matches longer keys, other writers'.
  std::vector<S3Upload> UploadsTo(const std::string& object_key);
  // Deletes `objects` (keys relative to the URL's prefix), a thousand to a request.
  void Delete(const std::vector<ObjectInfo>& objects);

 private:
  HttpResponse Send(const S3Call& call, BodySource* body = nullptr);
  std::string ObjectUrl(const std::string& object_key) const;

  S3Client& client_;
  HttpTransport& transport_;
  const S3Config& config_;
};

}  // namespace vodctl
