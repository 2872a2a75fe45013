#include "storage/s3_test_support.h"

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

TEST_CASE("S3Storage lists page by page, relative to its prefix, sorted") {
  FakeS3 s3;
  s3.server.answer = [](const Exchange& exchange) {
    const bool first_page = exchange.url.find("continuation-token") == std::string::npos;
    const std::string contents =
        first_page ? "<Contents><Key>pre/b/2.m4s</Key><Size>20</Size></Contents>"
                     "<Contents><Key>pre/b/</Key><Size>0</Size></Contents>"
                     "<IsTruncated>true</IsTruncated>"
                     "<NextContinuationToken>next/page=1</NextContinuationToken>"
                   : "<Contents><Key>pre/b/1 \xC3\xBC&amp;.m4s</Key><Size>10</Size></Contents>"
                     "<IsTruncated>false</IsTruncated>";
    return Answer(200,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult "
                  "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>bucket</Name>" +
                      contents + "</ListBucketResult>");
  };
  const std::vector<ObjectInfo> objects = s3.storage->List("b/");
  REQUIRE(objects.size() == 2);
  CHECK(objects[0].key == "b/1 \xC3\xBC&.m4s");
  CHECK(objects[0].size == 10);
  CHECK(objects[1].key == "b/2.m4s");
  CHECK(objects[1].size == 20);
  REQUIRE(s3.server.exchanges.size() == 2);
  CHECK(s3.server.exchanges[0].url ==
        std::string(kEndpoint) + "/bucket?list-type=2&prefix=pre%2Fb%2F");
  CHECK(s3.server.exchanges[1].url ==
        std::string(kEndpoint) +
            "/bucket?continuation-token=next%2Fpage%3D1&list-type=2&prefix=pre%2Fb%2F");
}

TEST_CASE("S3Storage fails a listing whose pages do not advance, instead of looping") {
  FakeS3 s3;
  s3.server.answer = [](const Exchange& exchange) {
    if (exchange.url.find("list-type=2&prefix=pre%2F.vodctl-uploads") != std::string::npos) {
      return Answer(200, "<ListBucketResult><Contents><Key>pre/.vodctl-uploads/a</Key>"
                         "<Size>0</Size></Contents></ListBucketResult>");
    }
    if (exchange.url.find("uploads=") != std::string::npos) {
      return Answer(200, "<ListMultipartUploadsResult><NextKeyMarker>pre/a</NextKeyMarker>"
                         "<NextUploadIdMarker>1</NextUploadIdMarker>"
                         "<IsTruncated>true</IsTruncated></ListMultipartUploadsResult>");
    }
    return Answer(200, "<ListBucketResult><IsTruncated>true</IsTruncated>"
                       "<NextContinuationToken>same</NextContinuationToken></ListBucketResult>");
  };
  CHECK_THAT(ErrorFrom([&] { s3.storage->List(""); }),
             IsError(ExitCode::kIoError, "the server sent the same page token twice"));
  CHECK(s3.server.exchanges.size() == 2);
  CHECK_THAT(ErrorFrom([&] { s3.storage->RemoveLeftovers(); }),
             IsError(ExitCode::kIoError, "the next page starts where this one did"));
  CHECK(s3.server.exchanges.size() == 5);  // the markers, then the uploads to one, twice
}

TEST_CASE("S3Storage removes a prefix with a multi-object delete of its folder") {
  FakeS3 s3;
  s3.server.answer = [](const Exchange& exchange) {
    if (exchange.method == "GET") {
      return Answer(200,
                    "<ListBucketResult><Contents><Key>pre/720p/a&amp;b</Key><Size>1</Size>"
                    "</Contents><Contents><Key>pre/720p/c</Key><Size>1</Size></Contents>"
                    "<IsTruncated>false</IsTruncated></ListBucketResult>");
    }
    return Answer(200, "<DeleteResult/>");
  };
  s3.storage->RemovePrefix("720p");
  REQUIRE(s3.server.exchanges.size() == 2);
  CHECK(s3.server.exchanges[0].url.ends_with("prefix=pre%2F720p%2F"));
  const Exchange& deletion = s3.server.exchanges[1];
  CHECK(deletion.method == "POST");
  CHECK(deletion.url == std::string(kEndpoint) + "/bucket?delete=");
  CHECK(deletion.body.find("<Quiet>true</Quiet><Object><Key>pre/720p/a&amp;b</Key></Object>"
                           "<Object><Key>pre/720p/c</Key></Object>") != std::string::npos);
  CHECK_FALSE(deletion.Header("Content-MD5").empty());

  s3.server.exchanges.clear();
  s3.server.answer = [](const Exchange& exchange) {
    if (exchange.method == "GET") {
      return Answer(200, "<ListBucketResult><Contents><Key>pre/x</Key><Size>1</Size></Contents>"
                         "</ListBucketResult>");
    }
    return Answer(200, "<DeleteResult><Error><Key>pre/x</Key><Code>AccessDenied</Code>"
                       "<Message>Access Denied</Message></Error></DeleteResult>");
  };
  CHECK_THROWS_MATCHES(s3.storage->RemovePrefix(""), Error,
                       IsError(ExitCode::kNoPermission, "s3://bucket/pre/x: AccessDenied"));
}

}  // namespace
}  // namespace vodctl
