// One S3 API call: what it is, how it is signed into an HTTP request, and how its answer is
// judged (success, worth retrying, refused for good).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/curl_handle.h"
#include "storage/s3_config.h"
#include "storage/s3_xml.h"
#include "storage/sigv4.h"
#include "vodctl/error.h"

namespace vodctl {

enum class S3Verdict { kSuccess, kRetry, kFail };

// Whether a response is a success, a transient failure or a final one. `error_code` is the
// Code of the S3 error document in the body, if any.
S3Verdict ClassifyS3Response(const HttpResponse& response, std::string_view error_code);

// The exit code of a final refusal (an answer ClassifyS3Response calls kFail, or a key a
// multi-object delete reports): a refused signature, key or access is kNoPermission, a missing
// bucket or key kNoInput, and anything else kIoError. The HTTP status decides where there is
// no error code (HEAD answers have no body).
ExitCode S3RefusalExitCode(int status, std::string_view error_code);

// One S3 API call, before signing.
struct S3Call {
  std::string method;
  std::string object_key;  // full key in the bucket; empty for calls on the bucket itself
  std::vector<sigv4::QueryParam> query = {};
  std::vector<sigv4::Header> headers = {};  // beyond Host and the x-amz-* ones signing adds
  std::string payload_hash = {};  // hex SHA-256 of the body; empty when there is none
  // CompleteMultipartUpload may answer 200 and still fail, with an error document.
  bool may_fail_with_200 = false;
};

// The HTTP request for `call`, signed as of `amz_date` (sigv4::AmzDate()).
HttpRequest SignedS3Request(const S3Config& config, const S3Call& call,
                            std::string_view amz_date);

// "HTTP 403 AccessDenied (Access Denied)", or libcurl's account of a failed transfer.
std::string S3FailureText(const HttpResponse& response, const S3Error& error);

}  // namespace vodctl
