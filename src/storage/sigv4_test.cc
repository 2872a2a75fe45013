#include "storage/sigv4.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "util/sha256.h"

namespace vodctl::sigv4 {
namespace {

// The example credentials of AWS's S3 documentation ("Signature Calculations for the
// Authorization Header: Transferring Payload in a Single Chunk").
const Credentials kS3Example{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                             ""};
constexpr std::string_view kS3ExampleDate = "20130524T000000Z";
constexpr std::string_view kExampleHost = "examplebucket.s3.amazonaws.com";
const std::string kEmptyHash = Sha256::Of("");

// ...and those of the aws-sig-v4-test-suite, whose requests go to service "service".
const Credentials kSuite{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
constexpr std::string_view kSuiteDate = "20150830T123600Z";

Request S3ExampleGet(std::vector<QueryParam> query) {
  return {"GET", "/", std::move(query), {{"Host", std::string(kExampleHost)}}, kEmptyHash};
}

std::string SignS3Example(Request request) {
  return Sign(request, kS3Example, "us-east-1", "s3", kS3ExampleDate);
}

std::string SuiteSignature(Request request) {
  const std::string authorization = Sign(request, kSuite, "us-east-1", "service", kSuiteDate);
  return authorization.substr(authorization.rfind('=') + 1);
}

Request SuiteGet(std::string path, std::vector<QueryParam> query = {}) {
  return {"GET", std::move(path), std::move(query), {{"Host", "example.amazonaws.com"}},
          kEmptyHash};
}

TEST_CASE("SigV4 signs AWS's S3 example GET Object with a Range header") {
  Request request{"GET",
                  "/test.txt",
                  {},
                  {{"Host", std::string(kExampleHost)}, {"Range", "bytes=0-9"}},
                  kEmptyHash};
  const std::string authorization = SignS3Example(request);
  CHECK(authorization ==
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");

  // The intermediate steps, as the documentation shows them.
  Sign(request, kS3Example, "us-east-1", "s3", kS3ExampleDate);
  const std::string canonical = CanonicalRequest(request);
  CHECK(canonical ==
        "GET\n/test.txt\n\n"
        "host:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
        "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
        "x-amz-date:20130524T000000Z\n\n"
        "host;range;x-amz-content-sha256;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(StringToSign(kS3ExampleDate, "us-east-1", "s3", canonical) ==
        "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
        "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
}

TEST_CASE("SigV4 signs AWS's S3 example PUT Object, encoding '$' in the key") {
  const std::string payload_hash = Sha256::Of("Welcome to Amazon S3.");
  REQUIRE(payload_hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  Request request{"PUT",
                  "/test$file.text",
                  {},
                  {{"Host", std::string(kExampleHost)},
                   {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                   {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
                  payload_hash};
  CHECK(SignS3Example(request) ==
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
        "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
  CHECK(CanonicalRequest(request).starts_with("PUT\n/test%24file.text\n\n"));
}

TEST_CASE("SigV4 signs AWS's S3 example GET Bucket Lifecycle: a parameter without value") {
  CHECK(SignS3Example(S3ExampleGet({{"lifecycle", ""}})) ==
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
        "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST_CASE("SigV4 signs AWS's S3 example GET Bucket (List Objects): sorted parameters") {
  // Given out of order: the canonical query string sorts them.
  CHECK(SignS3Example(S3ExampleGet({{"prefix", "J"}, {"max-keys", "2"}})) ==
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
        "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST_CASE("SigV4 matches the aws-sig-v4-test-suite") {
  // Outside S3 there is no x-amz-content-sha256 header.
  Request vanilla = SuiteGet("/");
  Sign(vanilla, kSuite, "us-east-1", "service", kSuiteDate);
  CHECK(CanonicalRequest(vanilla) ==
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
        "host;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(SuiteSignature(SuiteGet("/")) ==
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  CHECK(SuiteSignature(SuiteGet("/", {{"Param1", "value1"}})) ==
        "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb");
  CHECK(SuiteSignature(SuiteGet("/example space/")) ==
        "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741");
  CHECK(SuiteSignature(SuiteGet("/\xE1\x88\xB4")) ==  // U+1234
        "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85");
}

TEST_CASE("UriEncode keeps only unreserved characters, and '/' in key paths") {
  CHECK(UriEncode("AZaz09-_.~", true) == "AZaz09-_.~");
  CHECK(UriEncode("out/my file+x=1.m3u8", true) == "out/my%20file%2Bx%3D1.m3u8");
  CHECK(UriEncode("a/b", false) == "a%2Fb");
  CHECK(UriEncode("caf\xC3\xA9 \xE2\x82\xAC", true) == "caf%C3%A9%20%E2%82%AC");  // "café €"
  CHECK(UriEncode("100%*!'()", true) == "100%25%2A%21%27%28%29");
}

TEST_CASE("CanonicalQueryString encodes, sorts by name then value, and writes name=") {
  CHECK(CanonicalQueryString({}).empty());
  CHECK(CanonicalQueryString({{"uploads", ""}}) == "uploads=");
  CHECK(CanonicalQueryString({{"uploadId", "x/y+z"}, {"partNumber", "10"}}) ==
        "partNumber=10&uploadId=x%2Fy%2Bz");
  CHECK(CanonicalQueryString({{"prefix", "my dir/"}, {"list-type", "2"},
                              {"continuation-token", "1==a b"}}) ==
        "continuation-token=1%3D%3Da%20b&list-type=2&prefix=my%20dir%2F");
  CHECK(CanonicalQueryString({{"a", "2"}, {"a", "1"}}) == "a=1&a=2");
}

TEST_CASE("CanonicalRequest lowercases and sorts header names and trims values") {
  const Request request{"PUT",
                        "/bucket/a b",
                        {},
                        {{"X-Amz-Meta-B", "  two   words  "}, {"Host", "h:9000"}},
                        std::string(kUnsignedPayload)};
  CHECK(CanonicalRequest(request) ==
        "PUT\n/bucket/a%20b\n\nhost:h:9000\nx-amz-meta-b:two words\n\n"
        "host;x-amz-meta-b\nUNSIGNED-PAYLOAD");
}

TEST_CASE("Sign adds and signs x-amz-security-token when there is a session token") {
  Credentials temporary = kS3Example;
  temporary.session_token = "session/token+";
  Request request = S3ExampleGet({});
  const std::string authorization = Sign(request, temporary, "us-east-1", "s3", kS3ExampleDate);
  CHECK(authorization.find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;"
                           "x-amz-security-token,") != std::string::npos);
  CHECK(request.headers.back().name == "x-amz-security-token");
  CHECK(request.headers.back().value == "session/token+");
  CHECK(authorization.find("session") == std::string::npos);
  CHECK(authorization.find(kS3Example.secret_access_key) == std::string::npos);
  CHECK(authorization != SignS3Example(S3ExampleGet({})));
}

TEST_CASE("AmzDate formats a time in UTC") {
  using std::chrono::seconds;
  CHECK(AmzDate(std::chrono::system_clock::time_point(seconds(1369353600))) ==
        "20130524T000000Z");
  CHECK(AmzDate(std::chrono::system_clock::time_point(seconds(1440938160))) ==
        "20150830T123600Z");
}

}  // namespace
}  // namespace vodctl::sigv4
