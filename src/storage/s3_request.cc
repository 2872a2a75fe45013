#include "storage/s3_request.h"

#include <algorithm>
#include <array>

#include "util/sha256.h"

namespace vodctl {
namespace {

const std::string& EmptyPayloadHash() {
  static const std::string hash = Sha256::Of("");
  return hash;
}

// Codes S3 uses for its own transient trouble, whatever the status they come with: a 400
// RequestTimeout, or a 200 that is an InternalError after all.
bool IsTransientErrorCode(std::string_view code) {
  return code == "RequestTimeout" || code == "InternalError" || code == "SlowDown" ||
         code == "ServiceUnavailable";
}

std::string RequestHost(const S3Config& config) {
  return config.addressing == S3Addressing::kVirtualHosted
             ? config.location.bucket + "." + config.endpoint_host
             : config.endpoint_host;
}

std::string RequestPath(const S3Config& config, const std::string& object_key) {
  if (config.addressing == S3Addressing::kVirtualHosted) return "/" + object_key;
  return "/" + config.location.bucket + (object_key.empty() ? "" : "/" + object_key);
}

}  // namespace

// "HTTP 403 AccessDenied (Access Denied)", or libcurl's account of a failed transfer.
std::string S3FailureText(const HttpResponse& response, const S3Error& error) {
  if (response.transport != CURLE_OK) return response.transport_error;
  std::string text = fmt::format("HTTP {}", response.status);
  if (!error.code.empty()) text += " " + error.code;
  if (!error.message.empty()) text += " (" + error.message + ")";
  return text;
}

S3Verdict ClassifyS3Response(const HttpResponse& response, std::string_view error_code) {
  if (response.transport != CURLE_OK) {
    return IsTransientTransportError(response.transport) ? S3Verdict::kRetry : S3Verdict::kFail;
  }
  if (response.status / 100 == 5 || response.status == 429 || IsTransientErrorCode(error_code)) {
    return S3Verdict::kRetry;
  }
  return response.status / 100 == 2 && error_code.empty() ? S3Verdict::kSuccess
                                                          : S3Verdict::kFail;
}

ExitCode S3RefusalExitCode(int status, std::string_view error_code) {
  constexpr std::array<std::string_view, 6> kRefusedCodes = {
      "AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId",
      "InvalidToken", "ExpiredToken",          "AllAccessDisabled"};
  constexpr std::array<std::string_view, 3> kMissingCodes = {"NoSuchBucket", "NoSuchKey",
                                                             "NoSuchUpload"};
  const auto listed = [&](const auto& codes) {
    return std::find(codes.begin(), codes.end(), error_code) != codes.end();
  };
  if (listed(kRefusedCodes) || (error_code.empty() && status == 403)) {
    return ExitCode::kNoPermission;
  }
  if (listed(kMissingCodes) || (error_code.empty() && status == 404)) {
    return ExitCode::kNoInput;
  }
  return ExitCode::kIoError;
}

HttpRequest SignedS3Request(const S3Config& config, const S3Call& call,
                            std::string_view amz_date) {
  sigv4::Request signing{call.method, RequestPath(config, call.object_key), call.query,
                         call.headers,
                         call.payload_hash.empty() ? EmptyPayloadHash() : call.payload_hash};
  const std::string host = RequestHost(config);
  signing.headers.push_back({"Host", host});
  const std::string authorization =
      sigv4::Sign(signing, config.credentials, config.region, "s3", amz_date);

  HttpRequest request;
  request.method = call.method;
  request.url = fmt::format("{}://{}{}", config.endpoint_scheme, host,
                            sigv4::UriEncode(signing.path, true));
  if (!call.query.empty()) request.url += "?" + sigv4::CanonicalQueryString(call.query);
  for (const sigv4::Header& header : signing.headers) {
    request.headers.push_back(header.name + ": " + header.value);
  }
  request.headers.push_back("Authorization: " + authorization);
  return request;
}

}  // namespace vodctl
