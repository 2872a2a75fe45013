#include "storage/s3_request.h"


#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <mutex>
#include <thread>
#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/s3_test_support.h"
#include "test_support.h"
#include "util/sha256.h"
#include "vodctl/error.h"
#include "vodctl/log.h"

namespace vodctl {
namespace {

using testing::ErrorFrom;

using testing::IsError;
using testing::TempFolder;
using std::chrono::milliseconds;

namespace fs = std::filesystem;
using namespace s3_testing;


// ---------------------------------------------------------------------------------------------
// Request building and signing

std::vector<std::string> HeadersOf(const HttpRequest& request) {
  std::vector<std::string> headers = request.headers;
  std::sort(headers.begin(), headers.end());
  return headers;
}

TEST_CASE("SignedS3Request signs a PUT of a key with spaces, '+', '=' and unicode") {
  // The expected signatures come from botocore's S3SigV4Auth for the same requests.
  const std::string body = "#EXTM3U\n";
  const S3Call call{.method = "PUT",
                    .object_key = "out/my file \xC3\xBC+=.m3u8",
                    .headers = {{"Content-MD5", "p2dMaUYHsWnldZOklS6ibw=="},
                                {"Content-Type", "application/vnd.apple.mpegurl"}},
                    .payload_hash = Sha256::Of(body)};
  const std::string payload_hash =
      "144659b48f342d02b9298907ab32fcf0479ac9c99a0d293c7c2ebf8df313dd12";
  REQUIRE(call.payload_hash == payload_hash);

  SECTION("path-style") {
    const HttpRequest request = SignedS3Request(
        ConfigWith({{"AWS_ENDPOINT_URL", "http://127.0.0.1:9000"}}, "s3://bucket"), call,
        "20240229T123456Z");
    CHECK(request.method == "PUT");
    CHECK(request.url == "http://127.0.0.1:9000/bucket/out/my%20file%20%C3%BC%2B%3D.m3u8");
    CHECK(HeadersOf(request) ==
          std::vector<std::string>{
              "Authorization: AWS4-HMAC-SHA256 "
              "Credential=AKIDEXAMPLE/20240229/us-east-1/s3/aws4_request,"
              "SignedHeaders=content-md5;content-type;host;x-amz-content-sha256;x-amz-date,"
              "Signature=de9f772617f82b8bc8e64921b20659fc2af5542eaf9d0343948a444e3c4cbcbc",
              "Content-MD5: p2dMaUYHsWnldZOklS6ibw==",
              "Content-Type: application/vnd.apple.mpegurl",
              "Host: 127.0.0.1:9000",
              "x-amz-content-sha256: " + payload_hash,
              "x-amz-date: 20240229T123456Z",
          });
  }
  SECTION("virtual-hosted") {
    const HttpRequest request =
        SignedS3Request(ConfigWith({{"AWS_REGION", "eu-west-1"}}, "s3://bucket"), call,
                        "20240229T123456Z");
    CHECK(request.url ==
          "https://bucket.s3.eu-west-1.amazonaws.com/out/my%20file%20%C3%BC%2B%3D.m3u8");
    CHECK(std::count(request.headers.begin(), request.headers.end(),
                     "Host: bucket.s3.eu-west-1.amazonaws.com") == 1);
    const std::string authorization =
        "Authorization: AWS4-HMAC-SHA256 "
        "Credential=AKIDEXAMPLE/20240229/eu-west-1/s3/aws4_request,"
        "SignedHeaders=content-md5;content-type;host;x-amz-content-sha256;x-amz-date,"
        "Signature=2e9013360d92ac8a146b21745deb2ff4cd9e780639954b041a335237965a5b10";
    CHECK(std::count(request.headers.begin(), request.headers.end(), authorization) == 1);
  }
}

TEST_CASE("SignedS3Request puts the sorted, encoded query in the URL and signs no body") {
  const HttpRequest request =
      SignedS3Request(ConfigWith({{"AWS_ENDPOINT_URL", "http://localhost:9000"}}, "s3://b"),
                      {.method = "GET",
                       .object_key = "",
                       .query = {{"prefix", "a b/"}, {"list-type", "2"}, {"uploads", ""}}},
                      "20240229T123456Z");
  CHECK(request.url == "http://localhost:9000/b?list-type=2&prefix=a%20b%2F&uploads=");
  CHECK(std::count(request.headers.begin(), request.headers.end(),
                   "x-amz-content-sha256: " + Sha256::Of("")) == 1);
}

TEST_CASE("SignedS3Request keeps credentials out of the URL and sends the session token") {
  const HttpRequest request = SignedS3Request(
      ConfigWith({{"AWS_SESSION_TOKEN", "the-token"}}), {.method = "GET", .object_key = "k"},
      "20240229T123456Z");
  CHECK(request.url.find(kAccessKey) == std::string::npos);
  CHECK(std::count(request.headers.begin(), request.headers.end(),
                   "x-amz-security-token: the-token") == 1);
  for (const std::string& header : request.headers) {
    CHECK(header.find(kSecretKey) == std::string::npos);
  }
}

TEST_CASE("S3RefusalExitCode tells refused access from missing things from the rest") {
  for (const char* code : {"AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId",
                           "ExpiredToken"}) {
    CAPTURE(code);
    CHECK(S3RefusalExitCode(403, code) == ExitCode::kNoPermission);
    CHECK(S3RefusalExitCode(0, code) == ExitCode::kNoPermission);  // in a DeleteResult
  }
  CHECK(S3RefusalExitCode(403, "") == ExitCode::kNoPermission);  // a HEAD has no body
  CHECK(S3RefusalExitCode(404, "NoSuchBucket") == ExitCode::kNoInput);
  CHECK(S3RefusalExitCode(404, "NoSuchKey") == ExitCode::kNoInput);
  CHECK(S3RefusalExitCode(404, "") == ExitCode::kNoInput);
  CHECK(S3RefusalExitCode(400, "BadDigest") == ExitCode::kIoError);
  CHECK(S3RefusalExitCode(412, "PreconditionFailed") == ExitCode::kIoError);
  CHECK(S3RefusalExitCode(301, "PermanentRedirect") == ExitCode::kIoError);
}

TEST_CASE("ClassifyS3Response retries only what may pass on its own") {
  using enum S3Verdict;
  CHECK(ClassifyS3Response(Answer(200), "") == kSuccess);
  CHECK(ClassifyS3Response(Answer(204), "") == kSuccess);
  CHECK(ClassifyS3Response(Answer(500), "InternalError") == kRetry);
  CHECK(ClassifyS3Response(Answer(503), "SlowDown") == kRetry);
  CHECK(ClassifyS3Response(Answer(502), "") == kRetry);
  CHECK(ClassifyS3Response(Answer(429), "") == kRetry);
  CHECK(ClassifyS3Response(Answer(400), "RequestTimeout") == kRetry);
  CHECK(ClassifyS3Response(Answer(200), "InternalError") == kRetry);
  CHECK(ClassifyS3Response(Answer(400), "BadDigest") == kFail);
  CHECK(ClassifyS3Response(Answer(403), "SignatureDoesNotMatch") == kFail);
  CHECK(ClassifyS3Response(Answer(404), "NoSuchKey") == kFail);
  CHECK(ClassifyS3Response(Answer(301), "PermanentRedirect") == kFail);
  CHECK(ClassifyS3Response(Answer(200), "AccessDenied") == kFail);
  for (const CURLcode code : {CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST,
                              CURLE_OPERATION_TIMEDOUT, CURLE_RECV_ERROR, CURLE_SEND_ERROR,
                              CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE}) {
    CAPTURE(code);
    CHECK(ClassifyS3Response(TransportFailure(code), "") == kRetry);
  }
  CHECK(ClassifyS3Response(TransportFailure(CURLE_PEER_FAILED_VERIFICATION), "") == kFail);
  CHECK(ClassifyS3Response(TransportFailure(CURLE_UNSUPPORTED_PROTOCOL), "") == kFail);
}

}  // namespace
}  // namespace vodctl
