#include "storage/s3_xml.h"

#include <catch2/catch.hpp>

#include <string>

namespace vodctl {
namespace {

TEST_CASE("ParseS3Error reads an error document and nothing else") {
  const S3Error error = ParseS3Error(
      "<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>Reduce your rate</Message>"
      "<RequestId>1</RequestId></Error>");
  CHECK(error.code == "SlowDown");
  CHECK(error.message == "Reduce your rate");
  for (const std::string body : {"", "not xml", "<Error><Code>x</Code>", "<Other><Code>x</Code></Other>"}) {
    INFO(body);
    CHECK(ParseS3Error(body).code.empty());
  }
}

TEST_CASE("ParseUploadId reads InitiateMultipartUploadResult") {
  CHECK(ParseUploadId("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
                      "<UploadId>abc-123</UploadId></InitiateMultipartUploadResult>") == "abc-123");
  CHECK(ParseUploadId("<Error><UploadId>abc</UploadId></Error>").empty());
  CHECK(ParseUploadId("").empty());
}

TEST_CASE("ParseListBucketResult keeps our objects under the root") {
  const std::optional<S3ListPage> page = ParseListBucketResult(
      "<ListBucketResult><IsTruncated>true</IsTruncated>"
      "<NextContinuationToken>next</NextContinuationToken>"
      "<Contents><Key>videos/a.m4s</Key><Size>12</Size></Contents>"
      "<Contents><Key>videos/720p/</Key><Size>0</Size></Contents>"
      "<Contents><Key>other/b.m4s</Key><Size>5</Size></Contents>"
      "<Contents><Key>videos/720p/c.m4s</Key><Size>not a number</Size></Contents>"
      "</ListBucketResult>",
      "videos/");
  REQUIRE(page);
  REQUIRE(page->objects.size() == 2);
  CHECK(page->objects[0].key == "a.m4s");
  CHECK(page->objects[0].size == 12);
  CHECK(page->objects[1].key == "720p/c.m4s");
  CHECK(page->objects[1].size == 0);
  CHECK(page->continuation == "next");
}

TEST_CASE("ParseListBucketResult ends on the last page and refuses other documents") {
  const std::optional<S3ListPage> last = ParseListBucketResult(
      "<ListBucketResult><IsTruncated>false</IsTruncated>"
      "<NextContinuationToken>ignored</NextContinuationToken></ListBucketResult>",
      "");
  REQUIRE(last);
  CHECK(last->objects.empty());
  CHECK(last->continuation.empty());
  CHECK_FALSE(ParseListBucketResult("<Error><Code>AccessDenied</Code></Error>", ""));
  CHECK_FALSE(ParseListBucketResult("<ListBucketResult>", ""));
}

TEST_CASE("ParseListMultipartUploadsResult reads uploads and the next markers") {
  const std::optional<S3UploadsPage> page = ParseListMultipartUploadsResult(
      "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated>"
      "<NextKeyMarker>k2</NextKeyMarker><NextUploadIdMarker>u2</NextUploadIdMarker>"
      "<Upload><Key>k1</Key><UploadId>u1</UploadId>"
      "<Initiated>2026-12-07T02:22:29.000Z</Initiated></Upload>"
      "<Upload><Key>k2</Key><UploadId>u2</UploadId></Upload>"
      "</ListMultipartUploadsResult>");
  REQUIRE(page);
  CHECK(page->uploads == std::vector<S3Upload>{{"k1", "u1", "2026-12-07T02:22:29.000Z"},
                                               {"k2", "u2", ""}});
  CHECK(page->truncated);
  CHECK(page->next_key_marker == "k2");
  CHECK(page->next_upload_id_marker == "u2");
  CHECK_FALSE(ParseListMultipartUploadsResult("<ListBucketResult/>"));
}

TEST_CASE("ParseDeleteFailure reports the first key not deleted") {
  const std::optional<S3DeleteFailure> failure = ParseDeleteFailure(
      "<DeleteResult><Deleted><Key>a</Key></Deleted>"
      "<Error><Key>b</Key><Code>AccessDenied</Code><Message>no</Message></Error>"
      "</DeleteResult>");
  REQUIRE(failure);
  CHECK(failure->key == "b");
  CHECK(failure->error.code == "AccessDenied");
  CHECK(failure->error.message == "no");
  CHECK_FALSE(ParseDeleteFailure("<DeleteResult><Deleted><Key>a</Key></Deleted></DeleteResult>"));
  CHECK_FALSE(ParseDeleteFailure(""));
}

}  // namespace
}  // namespace vodctl
