#include "storage/s3_multipart.h"


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

TEST_CASE("S3Storage PutFile uploads big files in parts and completes the upload") {
  FakeS3 s3({}, {{"VODCTL_S3_PART_SIZE", "5"}});
  constexpr int64_t kPart = S3Storage::kMinPartSize;
  const int64_t size = 2 * kPart + 12345;
  const std::string path = MakeLocalFile(*s3.storage, size);
  std::string file = FileContents(path);
  int completions = 0;
  s3.server.answer = [&](const Exchange& exchange) {
    if (exchange.url.ends_with("?uploads=")) {
      return Answer(200, "<InitiateMultipartUploadResult><UploadId>up/1+</UploadId>"
                         "</InitiateMultipartUploadResult>");
    }
    if (IsUploadMarker(exchange)) return Answer(exchange.method == "PUT" ? 200 : 204);
    if (exchange.method == "PUT") {
      const std::string number = exchange.url.substr(exchange.url.find("partNumber=") + 11, 1);
      return Answer(200, "", {{"etag", "\"etag-" + number + "\""}});
    }
    // The first completion fails the way S3 may: a 200 carrying an error.
    return ++completions == 1
               ? Answer(200, ErrorDocument("InternalError", "We encountered an internal error."))
               : Answer(200, "<CompleteMultipartUploadResult/>");
  };
  s3.storage->PutFile("renditions/720p/full.nut", path);
  const std::string object = std::string(kRoot) + "renditions/720p/full.nut";
  std::vector<Exchange>& exchanges = s3.server.exchanges;
  const std::string marker = std::string(kRoot) + ".vodctl-uploads/renditions/720p/full.nut";
  REQUIRE(exchanges.size() == 8);
  // The marker is stored before the upload is created and removed once it is complete.
  CHECK(exchanges[0].method == "PUT");
  CHECK(exchanges[0].url == marker);
  CHECK(exchanges[0].Header("x-amz-content-sha256") == Sha256::Of(""));
  CHECK(exchanges[7].method == "DELETE");
  CHECK(exchanges[7].url == marker);
  // The parts went side by side, in any order.
  std::sort(exchanges.begin() + 2, exchanges.begin() + 5,
            [](const Exchange& a, const Exchange& b) { return a.url < b.url; });
  CHECK(exchanges[1].method == "POST");
  CHECK(exchanges[1].url == object + "?uploads=");
  for (int part = 1; part <= 3; ++part) {
    const Exchange& upload = exchanges[part + 1];
    const int64_t offset = (part - 1) * kPart;
    CHECK(upload.method == "PUT");
    CHECK(upload.url == object + "?partNumber=" + std::to_string(part) + "&uploadId=up%2F1%2B");
    CHECK(upload.body == file.substr(offset, kPart));
    CHECK(upload.Header("x-amz-content-sha256") == Sha256::Of(upload.body));
    CHECK(upload.Header("Content-MD5").empty());  // files: the signed SHA-256 alone
  }
  for (const int completion : {5, 6}) {
    CHECK(exchanges[completion].method == "POST");
    CHECK(exchanges[completion].url == object + "?uploadId=up%2F1%2B");
    CHECK(exchanges[completion].body.find(
              "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"etag-1\"</ETag>"
              "</Part><Part><PartNumber>2</PartNumber><ETag>\"etag-2\"</ETag></Part><Part>"
              "<PartNumber>3</PartNumber><ETag>\"etag-3\"</ETag></Part>"
              "</CompleteMultipartUpload>") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("S3Storage aborts a failed multipart upload and keeps the local file") {
  FakeS3 s3({}, {{"VODCTL_S3_PART_SIZE", "5"}});
  const std::string path = MakeLocalFile(*s3.storage, S3Storage::kMinPartSize + 1);
  s3.server.answer = [](const Exchange& exchange) {
    if (exchange.url.ends_with("?uploads=")) {
      return Answer(200, "<InitiateMultipartUploadResult><UploadId>u1</UploadId>"
                         "</InitiateMultipartUploadResult>");
    }
    if (exchange.url.find("partNumber=2") != std::string::npos) {
      return Answer(400, ErrorDocument("BadDigest", "The Content-MD5 you specified did not match"));
    }
    if (exchange.method == "DELETE") return Answer(204);
    return Answer(200, "", {{"etag", "\"e\""}});
  };
  CHECK_THROWS_MATCHES(s3.storage->PutFile("big.nut", path), Error,
                       IsError(ExitCode::kIoError, "partNumber=2&uploadId=u1: HTTP 400 BadDigest"));
  const std::vector<Exchange>& exchanges = s3.server.exchanges;
  REQUIRE(exchanges.size() == 6);  // marker, POST, 2 parts, abort, marker
  CHECK(exchanges[4].method == "DELETE");
  CHECK(exchanges[4].url == std::string(kRoot) + "big.nut?uploadId=u1");
  // Aborted: nothing is left for RemoveLeftovers to find.
  CHECK(exchanges[5].method == "DELETE");
  CHECK(exchanges[5].url == std::string(kRoot) + ".vodctl-uploads/big.nut");
  CHECK(fs::exists(path));
}

TEST_CASE("S3Storage keeps the marker of a multipart upload it could not abort") {
  FakeS3 s3({.attempts = 1}, {{"VODCTL_S3_PART_SIZE", "5"}});
  const std::string path = MakeLocalFile(*s3.storage, S3Storage::kMinPartSize + 1);
  s3.server.answer = [](const Exchange& exchange) {
    if (exchange.url.ends_with("?uploads=")) {
      return Answer(200, "<InitiateMultipartUploadResult><UploadId>u1</UploadId>"
                         "</InitiateMultipartUploadResult>");
    }
    if (exchange.url.find("uploadId=") != std::string::npos) return Answer(503);
    return Answer(200, "", {{"etag", "\"e\""}});
  };
  CHECK_THROWS_AS(s3.storage->PutFile("big.nut", path), Error);
  // No DELETE of the marker: a later RemoveLeftovers finds the upload by it.
  for (const Exchange& exchange : s3.server.exchanges) {
    CHECK_FALSE((IsUploadMarker(exchange) && exchange.method == "DELETE"));
  }
}

TEST_CASE("S3Storage RemoveLeftovers aborts the uploads to the exact keys it marked, no others") {
  FakeS3 s3;
  s3.server.answer = [](const Exchange& exchange) {
    if (exchange.method == "DELETE") return Answer(204);
    if (exchange.url.find("list-type=2") != std::string::npos) {
      return Answer(200, "<ListBucketResult>"
                         "<Contents><Key>pre/.vodctl-uploads/a b</Key><Size>0</Size></Contents>"
                         "<Contents><Key>pre/.vodctl-uploads/c</Key><Size>0</Size></Contents>"
                         "<IsTruncated>false</IsTruncated></ListBucketResult>");
    }
    if (exchange.url.find("prefix=pre%2Fc&") != std::string::npos) {
      // Only an upload of someone else's, whose key merely starts like the marked one.
      return Answer(200, "<ListMultipartUploadsResult><Upload><Key>pre/c2/x</Key>"
                         "<UploadId>7</UploadId></Upload><IsTruncated>false</IsTruncated>"
                         "</ListMultipartUploadsResult>");
    }
    const bool first_page = exchange.url.find("key-marker") == std::string::npos;
    return Answer(200, std::string("<ListMultipartUploadsResult>") +
                           (first_page ? "<Upload><Key>pre/a b</Key><UploadId>1</UploadId></Upload>"
                                         "<Upload><Key>pre/a b.bak</Key><UploadId>9</UploadId>"
                                         "</Upload>"
                                         "<NextKeyMarker>pre/a b.bak</NextKeyMarker>"
                                         "<NextUploadIdMarker>9</NextUploadIdMarker>"
                                         "<IsTruncated>true</IsTruncated>"
                                       : "<Upload><Key>pre/a b</Key><UploadId>2/3</UploadId></Upload>"
                                         "<IsTruncated>false</IsTruncated>") +
                           "</ListMultipartUploadsResult>");
  };
  s3.storage->RemoveLeftovers();
  std::vector<std::string> requests;
  for (const Exchange& exchange : s3.server.exchanges) {
    requests.push_back(exchange.method + " " + exchange.url.substr(kEndpoint.size()));
  }
  CHECK(requests ==
        std::vector<std::string>{
            "GET /bucket?list-type=2&prefix=pre%2F.vodctl-uploads%2F",
            "GET /bucket?prefix=pre%2Fa%20b&uploads=",
            "GET /bucket?key-marker=pre%2Fa%20b.bak&prefix=pre%2Fa%20b&upload-id-marker=9"
            "&uploads=",
            "DELETE /bucket/pre/a%20b?uploadId=1",
            "DELETE /bucket/pre/a%20b?uploadId=2%2F3",
            "DELETE /bucket/pre/.vodctl-uploads/a%20b",
            "GET /bucket?prefix=pre%2Fc&uploads=",
            "DELETE /bucket/pre/.vodctl-uploads/c",
        });
}

TEST_CASE("S3Storage at a bucket's root looks for its leftovers by its own markers only") {
  FakeS3 s3({}, {}, "s3://bucket");
  s3.server.answer = [](const Exchange&) {
    return Answer(200, "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  };
  s3.storage->RemoveLeftovers();
  // No listing of the bucket's uploads, which would hold every other job's.
  REQUIRE(s3.server.exchanges.size() == 1);
  CHECK(s3.server.exchanges[0].url ==
        std::string(kEndpoint) + "/bucket?list-type=2&prefix=.vodctl-uploads%2F");
}

TEST_CASE("S3Storage sends the parts of a multipart upload side by side, of the size asked") {
  FakeS3 s3({}, {{"VODCTL_S3_PART_SIZE", "5"}, {"VODCTL_S3_UPLOAD_CONNECTIONS", "3"}});
  constexpr int64_t kMiB = 1 << 20;
  const std::string path = MakeLocalFile(*s3.storage, 12 * kMiB);
  const std::string file = FileContents(path);
  std::atomic<int> in_flight{0};
  std::atomic<int> most_in_flight{0};
  s3.server.answer = [&](const Exchange& exchange) {
    if (IsUploadMarker(exchange)) return Answer(200);
    if (exchange.url.ends_with("?uploads=")) {
      return Answer(200, "<InitiateMultipartUploadResult><UploadId>u</UploadId>"
                         "</InitiateMultipartUploadResult>");
    }
    if (exchange.method != "PUT") return Answer(200, "<CompleteMultipartUploadResult/>");
    // Holds each part until all three are in flight (or a second has passed).
    const int now = ++in_flight;
    most_in_flight = std::max(most_in_flight.load(), now);
    for (int waited = 0; in_flight < 3 && waited < 1000; ++waited) {
      std::this_thread::sleep_for(milliseconds(1));
    }
    const std::string number = exchange.url.substr(exchange.url.find("partNumber=") + 11, 1);
    return Answer(200, "", {{"etag", "\"e" + number + "\""}});
  };
  s3.storage->PutFile("big.nut", path);
  CHECK(most_in_flight == 3);
  std::map<std::string, std::string> parts;  // part number -> body
  for (const Exchange& exchange : s3.server.exchanges) {
    if (exchange.method == "PUT" && !IsUploadMarker(exchange)) {
      parts[exchange.url.substr(exchange.url.find("partNumber=") + 11, 1)] = exchange.body;
    }
  }
  REQUIRE(parts.size() == 3);
  CHECK(parts["1"] == file.substr(0, 5 * kMiB));
  CHECK(parts["2"] == file.substr(5 * kMiB, 5 * kMiB));
  CHECK(parts["3"] == file.substr(10 * kMiB));
  CHECK(s3.server.exchanges.end()[-2].body.find(
            "<Part><PartNumber>3</PartNumber><ETag>\"e3\"</ETag></Part>") != std::string::npos);
}

TEST_CASE("S3Storage stores unsigned, whole and in parts, and signs what steers uploads") {
  FakeS3 s3({}, {{"VODCTL_S3_PAYLOAD_SIGNING", "never"}, {"VODCTL_S3_PART_SIZE", "5"}});
  s3.server.answer = [](const Exchange& exchange) {
    if (exchange.method == "POST" && exchange.url.ends_with("?uploads=")) {
      return Answer(200, "<InitiateMultipartUploadResult><UploadId>u</UploadId>"
                         "</InitiateMultipartUploadResult>");
    }
    if (exchange.method == "PUT") return Answer(200, "", {{"etag", "\"e\""}});
    return Answer(200, "<CompleteMultipartUploadResult/>");
  };
  s3.storage->PutFile("small.nut", MakeLocalFile(*s3.storage, 1 << 20));
  s3.storage->PutFile("big.nut", MakeLocalFile(*s3.storage, 6 << 20));
  s3.storage->Write("plan.json", "{}");
  std::vector<Exchange>& exchanges = s3.server.exchanges;
  REQUIRE(exchanges.size() == 8);  // PUT; marker PUT, POST, 2 part PUTs, POST, marker DELETE; PUT
  for (const int store : {0, 1, 3, 4, 7}) {
    CHECK(exchanges[store].method == "PUT");
    CHECK(exchanges[store].Header("x-amz-content-sha256") == "UNSIGNED-PAYLOAD");
    CHECK(exchanges[store].Header("Content-MD5").empty());
    CHECK(exchanges[store].Header("Authorization").starts_with("AWS4-HMAC-SHA256 "));
  }
  CHECK(exchanges[0].Header("Content-Type") == "application/octet-stream");
  CHECK(exchanges[7].Header("Content-Type") == "application/json");
  for (const int steering : {2, 5}) {
    CHECK(exchanges[steering].method == "POST");
    CHECK(exchanges[steering].Header("x-amz-content-sha256") ==
          Sha256::Of(exchanges[steering].body));
  }
}

// ---------------------------------------------------------------------------------------------
// Calls that are not idempotent, retried after their answer was lost

constexpr const char* kPart1Etag = "\"0123456789abcdef0123456789abcdef\"";
constexpr const char* kPart2Etag = "\"fedcba9876543210fedcba9876543210\"";
// md5(bytes of part 1's MD5 + bytes of part 2's) + "-2", by Python's hashlib.
constexpr const char* kObjectEtag = "b871e39d1a3258ca21654616395f5079-2";

TEST_CASE("MultipartEtag is S3's ETag of an object made of parts") {
  CHECK(MultipartEtag({kPart1Etag, kPart2Etag}) == kObjectEtag);
  CHECK(MultipartEtag({"0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"}) ==
        kObjectEtag);
  CHECK(MultipartEtag({kPart1Etag, "\"not-an-md5\""}).empty());
}

// A server for a two-part upload to pre/big.nut whose `answer_create`, `answer_complete` and
// `answer_head` decide those calls; everything else succeeds.
struct TwoPartUpload {
  TwoPartUpload() : s3({}, {{"VODCTL_S3_PART_SIZE", "5"}}) {
    path = MakeLocalFile(*s3.storage, kSize);
    s3.server.answer = [this](const Exchange& exchange) {
      std::lock_guard lock(mutex);
      if (IsUploadMarker(exchange)) return Answer(exchange.method == "PUT" ? 200 : 204);
      if (exchange.url.ends_with("?uploads=")) return answer_create(++creates);
      if (exchange.method == "GET") return answer_uploads();
      if (exchange.method == "PUT") {
        const bool first = exchange.url.find("partNumber=1&") != std::string::npos;
        return Answer(200, "", {{"etag", first ? kPart1Etag : kPart2Etag}});
      }
      if (exchange.method == "POST") return answer_complete(++completes);
      if (exchange.method == "HEAD") return answer_head();
      return Answer(204);  // an abort
    };
  }

  std::vector<std::string> Requests() const {
    std::vector<std::string> requests;
    for (const Exchange& exchange : s3.server.exchanges) {
      if (IsUploadMarker(exchange) || exchange.url.find("partNumber=") != std::string::npos) {
        continue;
      }
      // Keys relative to the storage's prefix, calls on the bucket from the endpoint.
      const bool in_root = exchange.url.starts_with(kRoot);
      requests.push_back(exchange.method + " " +
                         exchange.url.substr(in_root ? kRoot.size() : kEndpoint.size()));
    }
    return requests;
  }

  static constexpr int64_t kSize = S3Storage::kMinPartSize + 1;
  FakeS3 s3;
  std::string path;
  std::mutex mutex;  // parts go side by side
  int creates = 0;
  int completes = 0;
  std::function<HttpResponse(int)> answer_create = [](int) {
    return Answer(200, "<InitiateMultipartUploadResult><UploadId>u1</UploadId>"
                       "</InitiateMultipartUploadResult>");
  };
  std::function<HttpResponse()> answer_uploads = [] {
    return Answer(200, "<ListMultipartUploadsResult/>");
  };
  std::function<HttpResponse(int)> answer_complete = [](int) {
    return Answer(200, "<CompleteMultipartUploadResult/>");
  };
  std::function<HttpResponse()> answer_head = [] { return Answer(404); };
};

TEST_CASE("S3Storage aborts the uploads a retried create made before its answer was lost") {
  TwoPartUpload upload;
  upload.answer_create = [](int attempt) {
    // The first answer is lost on the way back: the server made upload "lost" all the same.
    if (attempt == 1) return TransportFailure(CURLE_RECV_ERROR);
    return Answer(200, "<InitiateMultipartUploadResult><UploadId>kept</UploadId>"
                       "</InitiateMultipartUploadResult>",
                  {{"date", "Mon, 07 Dec 2026 02:22:29 GMT"}});
  };
  upload.answer_uploads = [] {
    return Answer(200,
                  "<ListMultipartUploadsResult>"
                  "<Upload><Key>pre/big.nut</Key><UploadId>lost</UploadId>"
                  "<Initiated>2026-12-07T02:22:28.600Z</Initiated></Upload>"
                  "<Upload><Key>pre/big.nut</Key><UploadId>kept</UploadId>"
                  "<Initiated>2026-12-07T02:22:29.100Z</Initiated></Upload>"
                  // Before the first attempt: not this create's (RemoveLeftovers' business).
                  "<Upload><Key>pre/big.nut</Key><UploadId>older</UploadId>"
                  "<Initiated>2026-12-07T01:00:00.000Z</Initiated></Upload>"
                  // Another key that merely starts alike.
                  "<Upload><Key>pre/big.nut.bak</Key><UploadId>other</UploadId>"
                  "<Initiated>2026-12-07T02:22:29.000Z</Initiated></Upload>"
                  "<IsTruncated>false</IsTruncated></ListMultipartUploadsResult>");
  };
  upload.s3.storage->PutFile("big.nut", upload.path);
  CHECK(upload.Requests() == std::vector<std::string>{
                                 "POST big.nut?uploads=",
                                 "POST big.nut?uploads=",
                                 "GET /bucket?prefix=pre%2Fbig.nut&uploads=",
                                 "DELETE big.nut?uploadId=lost",
                                 "POST big.nut?uploadId=kept",
                             });
}

TEST_CASE("S3Storage looks for no other uploads when the create went through at once") {
  TwoPartUpload upload;
  upload.s3.storage->PutFile("big.nut", upload.path);
  CHECK(upload.Requests() ==
        std::vector<std::string>{"POST big.nut?uploads=", "POST big.nut?uploadId=u1"});
}

TEST_CASE("S3Storage takes a retried completion that finds its upload gone by the ETag") {
  TwoPartUpload upload;
  upload.answer_complete = [](int attempt) {
    // The first completion did the work; its 200 was lost.
    if (attempt == 1) return TransportFailure(CURLE_GOT_NOTHING);
    return Answer(404, ErrorDocument("NoSuchUpload", "The specified upload does not exist."));
  };
  std::string stored_etag = std::string("\"") + kObjectEtag + "\"";
  int64_t stored_size = TwoPartUpload::kSize;
  upload.answer_head = [&] {
    return Answer(200, "", {{"etag", stored_etag},
                            {"content-length", std::to_string(stored_size)}});
  };

  SECTION("the object of these parts: done") {
    upload.s3.storage->PutFile("big.nut", upload.path);
    CHECK(upload.Requests() == std::vector<std::string>{"POST big.nut?uploads=",
                                                        "POST big.nut?uploadId=u1",
                                                        "POST big.nut?uploadId=u1",
                                                        "HEAD big.nut"});
    CHECK_FALSE(fs::exists(upload.path));
  }
  SECTION("another object, or one of another size: the step fails, naming the upload") {
    SECTION("ETag") { stored_etag = "\"0123456789abcdef0123456789abcdef-2\""; }
    SECTION("size") { stored_size = TwoPartUpload::kSize - 1; }
    CHECK_THAT(ErrorFrom([&] { upload.s3.storage->PutFile("big.nut", upload.path); }),
               IsError(ExitCode::kIoError,
                       "S3 CompleteMultipartUpload of s3://bucket/pre/big.nut (upload ID u1): "
                       "NoSuchUpload after 2 attempts"));
    CHECK(upload.Requests().back() == "DELETE big.nut?uploadId=u1");
    CHECK(fs::exists(upload.path));
  }
}

TEST_CASE("S3Storage fails a completion that finds its upload gone at the first attempt") {
  TwoPartUpload upload;
  upload.answer_complete = [](int) {
    return Answer(404, ErrorDocument("NoSuchUpload", "The specified upload does not exist."));
  };
  CHECK_THAT(ErrorFrom([&] { upload.s3.storage->PutFile("big.nut", upload.path); }),
             IsError(ExitCode::kNoInput, "(upload ID u1): HTTP 404 NoSuchUpload"));
  for (const std::string& request : upload.Requests()) CHECK(request != "HEAD big.nut");
}

}  // namespace
}  // namespace vodctl
