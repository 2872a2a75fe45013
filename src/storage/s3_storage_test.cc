#include "storage/s3_storage.h"

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

constexpr const char* kAccessKey = "AKIDEXAMPLE";
constexpr const char* kSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// ---------------------------------------------------------------------------------------------
// Configuration

EnvLookup FakeEnv(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const char* name) -> const char* {
    const auto it = variables.find(name);
    return it == variables.end() ? nullptr : it->second.c_str();
  };
}

std::map<std::string, std::string> WithKeys(std::map<std::string, std::string> variables) {
  variables.emplace("AWS_ACCESS_KEY_ID", kAccessKey);
  variables.emplace("AWS_SECRET_ACCESS_KEY", kSecretKey);
  return variables;
}

S3Config ConfigWith(std::map<std::string, std::string> variables,
                    const std::string& url = "s3://bucket/out") {
  return S3ConfigFor(url, FakeEnv(WithKeys(std::move(variables))));
}

TEST_CASE("ParseS3Url splits bucket and prefix and takes keys literally") {
  CHECK(ParseS3Url("s3://bucket").bucket == "bucket");
  CHECK(ParseS3Url("s3://bucket").prefix.empty());
  CHECK(ParseS3Url("s3://bucket/").prefix.empty());
  CHECK(ParseS3Url("s3://bucket/out").prefix == "out/");
  CHECK(ParseS3Url("s3://bucket/out/").prefix == "out/");
  CHECK(ParseS3Url("s3://my.bucket_1/a b/\xC3\xBC+=/").prefix == "a b/\xC3\xBC+=/");
  CHECK(ParseS3Url("s3://bucket/x%20y").prefix == "x%20y/");

  for (const std::string url : {"s3://", "s3:///out", "s3://bucket//out", "s3://bucket/./out",
                                "s3://bucket/a/../b", "s3://bu cket/out", "s3://b\xC3\xBC/x",
                                "file:///out"}) {
    CAPTURE(url);
    CHECK_THROWS_MATCHES(ParseS3Url(url), Error, IsError(ExitCode::kUsage, url));
  }
}

TEST_CASE("S3ConfigFor follows the AWS conventions") {
  SECTION("defaults: us-east-1 on AWS, virtual-hosted") {
    const S3Config config = ConfigWith({});
    CHECK(config.credentials.access_key_id == kAccessKey);
    CHECK(config.credentials.secret_access_key == kSecretKey);
    CHECK(config.credentials.session_token.empty());
    CHECK(config.region == "us-east-1");
    CHECK(config.endpoint() == "https://s3.us-east-1.amazonaws.com");
    CHECK(config.addressing == S3Addressing::kVirtualHosted);
    CHECK(config.location.bucket == "bucket");
    CHECK(config.location.prefix == "out/");
  }
  SECTION("AWS_REGION wins over AWS_DEFAULT_REGION and picks the endpoint") {
    CHECK(ConfigWith({{"AWS_DEFAULT_REGION", "eu-west-1"}}).endpoint() ==
          "https://s3.eu-west-1.amazonaws.com");
    const S3Config config = ConfigWith({{"AWS_REGION", "ap-south-1"},
                                        {"AWS_DEFAULT_REGION", "eu-west-1"}});
    CHECK(config.region == "ap-south-1");
    CHECK(config.endpoint() == "https://s3.ap-south-1.amazonaws.com");
  }
  SECTION("AWS_ENDPOINT_URL_S3 wins over AWS_ENDPOINT_URL; empty counts as unset") {
    CHECK(ConfigWith({{"AWS_ENDPOINT_URL", "http://a.example:1"}}).endpoint() ==
          "http://a.example:1");
    CHECK(ConfigWith({{"AWS_ENDPOINT_URL", "http://a.example:1"},
                      {"AWS_ENDPOINT_URL_S3", "https://B.example/"}})
              .endpoint() == "https://b.example");
    CHECK(ConfigWith({{"AWS_ENDPOINT_URL", "http://a.example:1"}, {"AWS_ENDPOINT_URL_S3", ""}})
              .endpoint() == "http://a.example:1");
    CHECK(ConfigWith({{"AWS_REGION", ""}}).region == "us-east-1");
  }
  SECTION("a session token and a CA bundle are taken along") {
    CHECK(ConfigWith({{"AWS_SESSION_TOKEN", "token"}}).credentials.session_token == "token");
    CHECK(ConfigWith({{"AWS_CA_BUNDLE", "/etc/ca.pem"}}).ca_bundle == "/etc/ca.pem");
  }
  SECTION("the CA bundle: AWS_CA_BUNDLE, else SSL_CERT_FILE, else the first usual file") {
    std::vector<std::string> files;
    const FileExists exists = [&files](const std::string& path) {
      return std::find(files.begin(), files.end(), path) != files.end();
    };
    const auto bundle = [&](std::map<std::string, std::string> variables) {
      return CaBundleFor(FakeEnv(std::move(variables)), exists);
    };
    CHECK(bundle({}).empty());
    files = {"/etc/ssl/cert.pem", "/etc/pki/tls/certs/ca-bundle.crt"};
    CHECK(bundle({}) == "/etc/pki/tls/certs/ca-bundle.crt");
    files.push_back("/etc/ssl/certs/ca-certificates.crt");
    CHECK(bundle({}) == "/etc/ssl/certs/ca-certificates.crt");
    CHECK(bundle({{"SSL_CERT_FILE", "/a.pem"}}) == "/a.pem");
    CHECK(bundle({{"SSL_CERT_FILE", "/a.pem"}, {"AWS_CA_BUNDLE", "/b.pem"}}) == "/b.pem");
    CHECK(bundle({{"SSL_CERT_FILE", ""}, {"AWS_CA_BUNDLE", ""}}) ==
          "/etc/ssl/certs/ca-certificates.crt");
    // A named file is taken as it is, even missing: curl then says what is wrong with it.
    files.clear();
    CHECK(bundle({{"SSL_CERT_FILE", "/missing.pem"}}) == "/missing.pem");
  }
  SECTION("missing credentials are a usage error naming the URL") {
    for (const auto& variables : std::vector<std::map<std::string, std::string>>{
             {}, {{"AWS_ACCESS_KEY_ID", kAccessKey}}, {{"AWS_SECRET_ACCESS_KEY", kSecretKey}},
             {{"AWS_ACCESS_KEY_ID", ""}, {"AWS_SECRET_ACCESS_KEY", kSecretKey}}}) {
      CHECK_THROWS_MATCHES(
          S3ConfigFor("s3://bucket/out", FakeEnv(variables)), Error,
          IsError(ExitCode::kUsage,
                  "s3://bucket/out needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"));
    }
  }
  SECTION("bad endpoints are usage errors that do not repeat user information") {
    for (const std::string endpoint : {"ftp://host", "host:9000", "http://", "http://host/base"}) {
      CAPTURE(endpoint);
      CHECK_THROWS_MATCHES(ConfigWith({{"AWS_ENDPOINT_URL", endpoint}}), Error,
                           IsError(ExitCode::kUsage, "AWS_ENDPOINT_URL"));
    }
    try {
      ConfigWith({{"AWS_ENDPOINT_URL_S3", "http://user:hunter2@host"}});
      FAIL("expected an error");
    } catch (const Error& error) {
      CHECK(error.code() == ExitCode::kUsage);
      CHECK(std::string(error.what()).find("hunter2") == std::string::npos);
    }
  }
}

TEST_CASE("S3ConfigFor picks path-style addressing where host names cannot work") {
  const auto addressing = [](const std::string& endpoint, const std::string& url = "s3://b-1/x",
                             const std::string& forced = "") {
    std::map<std::string, std::string> variables{{"AWS_ENDPOINT_URL", endpoint}};
    if (!forced.empty()) variables["VODCTL_S3_ADDRESSING"] = forced;
    return ConfigWith(variables, url).addressing;
  };
  constexpr S3Addressing kPath = S3Addressing::kPath;
  constexpr S3Addressing kVirtual = S3Addressing::kVirtualHosted;
  CHECK(addressing("http://127.0.0.1:9000") == kPath);
  CHECK(addressing("http://localhost:9000") == kPath);
  CHECK(addressing("http://[::1]:9000") == kPath);
  CHECK(addressing("https://10.1.2.3") == kPath);
  CHECK(addressing("https://minio.example.com") == kVirtual);
  CHECK(addressing("https://s3.eu-west-1.amazonaws.com") == kVirtual);
  // Not a host label, or not one a wildcard certificate matches.
  CHECK(addressing("https://s3.amazonaws.com", "s3://my.bucket/x") == kPath);
  CHECK(addressing("https://s3.amazonaws.com", "s3://My_Bucket/x") == kPath);
  CHECK(addressing("https://s3.amazonaws.com", "s3://ab/x") == kPath);
  // Forced either way.
  CHECK(addressing("https://minio.example.com", "s3://b-1/x", "path") == kPath);
  CHECK(addressing("http://127.0.0.1:9000", "s3://b-1/x", "virtual") == kVirtual);
  CHECK_THROWS_MATCHES(addressing("http://127.0.0.1:9000", "s3://b-1/x", "vhost"), Error,
                       IsError(ExitCode::kUsage, "VODCTL_S3_ADDRESSING"));
}

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

// ---------------------------------------------------------------------------------------------
// Retries

HttpResponse Answer(long status, std::string body = "",
                    std::map<std::string, std::string> headers = {}) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return response;
}

HttpResponse TransportFailure(CURLcode code) {
  HttpResponse response;
  response.transport = code;
  response.transport_error = curl_easy_strerror(code);
  return response;
}

std::string ErrorDocument(const std::string& code, const std::string& message) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" +
         message + "</Message></Error>";
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

// ---------------------------------------------------------------------------------------------
// S3Storage against an in-process fake of the HTTP exchange

struct Exchange {
  std::string method;
  std::string url;
  std::vector<std::string> headers;
  std::string body;

  std::string Header(const std::string& name) const {
    for (const std::string& header : headers) {
      if (header.starts_with(name + ": ")) return header.substr(name.size() + 2);
    }
    return "";
  }
};

// Answers requests with `answer` and remembers them. Multipart uploads send from several
// threads: `answer` runs on each, unlocked.
struct FakeServer {
  std::function<HttpResponse(const Exchange&)> answer;
  std::mutex mutex;  // guards exchanges
  std::vector<Exchange> exchanges;
  std::vector<milliseconds> sleeps;
};

class FakeTransport : public HttpTransport {
 public:
  explicit FakeTransport(FakeServer& server) : server_(server) {}

  HttpResponse Perform(const HttpRequest& request) override {
    Exchange exchange{request.method, request.url, request.headers, ""};
    if (request.body != nullptr) {
      request.body->Rewind();
      std::vector<char> buffer(1 << 16);
      while (const size_t got = request.body->Read(buffer.data(), buffer.size())) {
        exchange.body.append(buffer.data(), got);
      }
      REQUIRE(static_cast<int64_t>(exchange.body.size()) == request.body->size());
    }
    {
      std::lock_guard lock(server_.mutex);
      server_.exchanges.push_back(exchange);
    }
    HttpResponse response = server_.answer(exchange);
    if (request.sink != nullptr && response.status / 100 == 2) {
      request.sink->Reset();
      request.sink->Append(std::exchange(response.body, ""));
    }
    return response;
  }

 private:
  FakeServer& server_;
};

constexpr std::string_view kEndpoint = "http://127.0.0.1:9000";
constexpr std::string_view kRoot = "http://127.0.0.1:9000/bucket/pre/";

// Keeps the retry messages of the tests that provoke them off the test output.
class QuietLog {
 public:
  QuietLog() : saved_(log::GetLevel()) { log::SetLevel(log::Level::kQuiet); }
  ~QuietLog() { log::SetLevel(saved_); }
  QuietLog(const QuietLog&) = delete;
  QuietLog& operator=(const QuietLog&) = delete;

 private:
  log::Level saved_;
};

struct FakeS3 {
  explicit FakeS3(RetryPolicy retry = {}, std::map<std::string, std::string> variables = {}) {
    S3Storage::Options options;
    options.connect = [this] { return std::make_unique<FakeTransport>(server); };
    options.local_folder = local.path();
    options.retry = retry;
    options.sleep = [this](milliseconds delay) { server.sleeps.push_back(delay); };
    variables["AWS_ENDPOINT_URL"] = kEndpoint;
    storage = std::make_unique<S3Storage>(ConfigWith(variables, "s3://bucket/pre/"),
                                          std::move(options));
  }

  QuietLog quiet;
  FakeServer server;
  TempFolder local;
  std::unique_ptr<S3Storage> storage;
};

void CheckNoSecrets(const Error& error) {
  const std::string message = error.what();
  CHECK(message.find(kSecretKey) == std::string::npos);
  CHECK(message.find(kAccessKey) == std::string::npos);
}

std::string FileContents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_CASE("S3Storage writes with both checksums and reads, stats and removes objects") {
  FakeS3 s3;
  s3.server.answer = [](const Exchange& exchange) {
    if (exchange.method == "HEAD") {
      return exchange.url.ends_with("/absent") ? Answer(404)
                                               : Answer(200, "", {{"content-length", "5"}});
    }
    if (exchange.method == "GET") return Answer(200, "hello");
    if (exchange.method == "DELETE") return Answer(204);
    return Answer(200);
  };
  s3.storage->Write("720p/index.m3u8", "hello");
  const Exchange& put = s3.server.exchanges.at(0);
  CHECK(put.method == "PUT");
  CHECK(put.url == std::string(kRoot) + "720p/index.m3u8");
  CHECK(put.body == "hello");
  CHECK(put.Header("Content-MD5") == "XUFAKrxLKna5cZ2REBfFkg==");
  CHECK(put.Header("x-amz-content-sha256") == Sha256::Of("hello"));
  CHECK(put.Header("Content-Type") == "application/vnd.apple.mpegurl");

  CHECK(s3.storage->Read("720p/index.m3u8") == "hello");
  REQUIRE(s3.storage->Stat("a b.m4s").has_value());
  CHECK(s3.storage->Stat("a b.m4s")->size == 5);
  CHECK(s3.server.exchanges.back().url == std::string(kRoot) + "a%20b.m4s");
  CHECK_FALSE(s3.storage->Stat("absent").has_value());
  s3.storage->Remove("absent");
  CHECK(s3.server.exchanges.back().method == "DELETE");
  CHECK(s3.storage->Describe("x/y z") == "s3://bucket/pre/x/y z");
  CHECK(s3.storage->url() == "s3://bucket/pre/");
  CHECK_THROWS_MATCHES(s3.storage->Write("../x", ""), Error,
                       IsError(ExitCode::kUsage, "invalid storage key"));
}

TEST_CASE("S3Storage retries transient failures with growing delays, resending the body") {
  FakeS3 s3;
  int calls = 0;
  s3.server.answer = [&](const Exchange&) {
    switch (++calls) {
      case 1:
        return Answer(503, ErrorDocument("SlowDown", "Please reduce your request rate."));
      case 2:
        return TransportFailure(CURLE_RECV_ERROR);
      default:
        return Answer(200);
    }
  };
  s3.storage->Write("k", "payload");
  REQUIRE(s3.server.exchanges.size() == 3);
  for (const Exchange& exchange : s3.server.exchanges) CHECK(exchange.body == "payload");
  REQUIRE(s3.server.sleeps.size() == 2);
  CHECK(s3.server.sleeps[0] >= milliseconds(100));
  CHECK(s3.server.sleeps[0] < milliseconds(200));
  CHECK(s3.server.sleeps[1] >= milliseconds(200));
  CHECK(s3.server.sleeps[1] < milliseconds(400));
}

TEST_CASE("S3Storage fails at once on a refusal, naming method, URL and S3's error") {
  FakeS3 s3;
  s3.server.answer = [](const Exchange&) {
    return Answer(403, ErrorDocument("SignatureDoesNotMatch", "The request signature we "
                                                              "calculated does not match"));
  };
  const Error error = ErrorFrom([&] { s3.storage->Write("a b", "x"); });
  CHECK(error.code() == ExitCode::kIoError);
  CHECK(error.what() == "S3 PUT " + std::string(kRoot) +
                            "a%20b: HTTP 403 SignatureDoesNotMatch (The request signature we "
                            "calculated does not match)");
  CheckNoSecrets(error);
  CHECK(s3.server.exchanges.size() == 1);
  CHECK(s3.server.sleeps.empty());

  s3.server.answer = [](const Exchange&) {
    return Answer(404, ErrorDocument("NoSuchKey", "The specified key does not exist."));
  };
  CHECK_THROWS_MATCHES(s3.storage->Read("gone"), Error,
                       IsError(ExitCode::kIoError, "S3 GET " + std::string(kRoot) +
                                                       "gone: HTTP 404 NoSuchKey"));
}

TEST_CASE("S3Storage gives up after the last attempt with kUnavailable naming the endpoint") {
  FakeS3 s3(RetryPolicy{.attempts = 3});
  s3.server.answer = [](const Exchange&) { return TransportFailure(CURLE_COULDNT_CONNECT); };
  const Error error = ErrorFrom([&] { s3.storage->Read("k"); });
  CHECK(error.code() == ExitCode::kUnavailable);
  CHECK(std::string(error.what()).find("endpoint http://127.0.0.1:9000 still failing after 3 "
                                       "attempts") != std::string::npos);
  CheckNoSecrets(error);
  CHECK(s3.server.exchanges.size() == 3);
  CHECK(s3.server.sleeps.size() == 2);

  // A failure that waiting cannot fix is not retried.
  s3.server.exchanges.clear();
  s3.server.answer = [](const Exchange&) {
    return TransportFailure(CURLE_PEER_FAILED_VERIFICATION);
  };
  CHECK_THROWS_MATCHES(s3.storage->Read("k"), Error,
                       IsError(ExitCode::kUnavailable, "cannot use endpoint"));
  CHECK(s3.server.exchanges.size() == 1);
}

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
    if (exchange.url.find("uploads") != std::string::npos) {
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
  CHECK(s3.server.exchanges.size() == 4);
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
                       IsError(ExitCode::kIoError, "s3://bucket/pre/x: AccessDenied"));
}

TEST_CASE("S3Storage downloads for local reading once per version of an object") {
  FakeS3 s3;
  std::string etag = "\"v1\"";
  std::string content = "first";
  s3.server.answer = [&](const Exchange& exchange) {
    const std::map<std::string, std::string> headers{
        {"content-length", std::to_string(content.size())}, {"etag", etag}};
    if (exchange.method == "HEAD") return Answer(200, "", headers);
    return Answer(200, content, headers);
  };
  const std::string first = s3.storage->LocalPathForRead("chunks/00001.nut");
  CHECK(first.ends_with(".nut"));
  CHECK(FileContents(first) == "first");
  CHECK(s3.storage->LocalPathForRead("chunks/00001.nut") == first);
  CHECK(s3.server.exchanges.size() == 3);  // HEAD, GET, HEAD

  content = "second";
  etag = "\"v2\"";
  const std::string second = s3.storage->LocalPathForRead("chunks/00001.nut");
  CHECK(FileContents(second) == "second");
  CHECK_FALSE(fs::exists(first));

  // Same size, new content: the ETag tells.
  content = "SECOND";
  etag = "\"v3\"";
  CHECK(FileContents(s3.storage->LocalPathForRead("chunks/00001.nut")) == "SECOND");

  s3.server.answer = [](const Exchange&) { return Answer(404); };
  CHECK_THROWS_MATCHES(s3.storage->LocalPathForRead("gone"), Error,
                       IsError(ExitCode::kIoError, "missing 's3://bucket/pre/gone'"));
}

// A local file of `size` bytes with a recognisable byte at each MiB.
std::string MakeLocalFile(S3Storage& storage, int64_t size) {
  const std::string path = storage.ScratchPath("renditions/720p/full.nut");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::ftruncate(fd, size) == 0);
  for (int64_t offset = 0; offset < size; offset += 1 << 20) {
    const char marker = static_cast<char>('a' + offset / (1 << 20) % 26);
    REQUIRE(::pwrite(fd, &marker, 1, offset) == 1);
  }
  ::close(fd);
  return path;
}

TEST_CASE("S3Storage PutFile sends small files in one PUT and removes them") {
  FakeS3 s3;
  s3.server.answer = [](const Exchange&) { return Answer(200); };
  const std::string path = MakeLocalFile(*s3.storage, 3 << 20);
  CHECK(path.ends_with("full.nut"));
  CHECK(fs::path(path).parent_path().parent_path() == s3.local.path());
  s3.storage->PutFile("renditions/720p/full.nut", path);
  REQUIRE(s3.server.exchanges.size() == 1);
  CHECK(s3.server.exchanges[0].method == "PUT");
  CHECK(s3.server.exchanges[0].body.size() == 3u << 20);
  CHECK(s3.server.exchanges[0].Header("x-amz-content-sha256") ==
        Sha256::Of(s3.server.exchanges[0].body));
  CHECK_FALSE(fs::exists(path));
}

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
  REQUIRE(exchanges.size() == 6);
  // The parts went side by side, in any order.
  std::sort(exchanges.begin() + 1, exchanges.begin() + 4,
            [](const Exchange& a, const Exchange& b) { return a.url < b.url; });
  CHECK(exchanges[0].method == "POST");
  CHECK(exchanges[0].url == object + "?uploads=");
  for (int part = 1; part <= 3; ++part) {
    const Exchange& upload = exchanges[part];
    const int64_t offset = (part - 1) * kPart;
    CHECK(upload.method == "PUT");
    CHECK(upload.url == object + "?partNumber=" + std::to_string(part) + "&uploadId=up%2F1%2B");
    CHECK(upload.body == file.substr(offset, kPart));
    CHECK(upload.Header("x-amz-content-sha256") == Sha256::Of(upload.body));
    CHECK(upload.Header("Content-MD5").empty());  // files: the signed SHA-256 alone
  }
  for (const int completion : {4, 5}) {
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
  REQUIRE(s3.server.exchanges.size() == 4);
  CHECK(s3.server.exchanges.back().method == "DELETE");
  CHECK(s3.server.exchanges.back().url == std::string(kRoot) + "big.nut?uploadId=u1");
  CHECK(fs::exists(path));
}

TEST_CASE("S3Storage RemoveLeftovers aborts the unfinished multipart uploads under its prefix") {
  FakeS3 s3;
  s3.server.answer = [](const Exchange& exchange) {
    if (exchange.method == "DELETE") return Answer(204);
    const bool first_page = exchange.url.find("key-marker") == std::string::npos;
    return Answer(200, std::string("<ListMultipartUploadsResult>") +
                           (first_page ? "<Upload><Key>pre/a b</Key><UploadId>1</UploadId></Upload>"
                                         "<NextKeyMarker>pre/a b</NextKeyMarker>"
                                         "<NextUploadIdMarker>1</NextUploadIdMarker>"
                                         "<IsTruncated>true</IsTruncated>"
                                       : "<Upload><Key>pre/c</Key><UploadId>2/3</UploadId></Upload>"
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
            "GET /bucket?prefix=pre%2F&uploads=",
            "GET /bucket?key-marker=pre%2Fa%20b&prefix=pre%2F&upload-id-marker=1&uploads=",
            "DELETE /bucket/pre/a%20b?uploadId=1",
            "DELETE /bucket/pre/c?uploadId=2%2F3",
        });
}

TEST_CASE("S3Storage scratch paths are fresh, local, and end like their hint") {
  FakeS3 s3;
  const std::string first = s3.storage->ScratchPath("chunks/00001.nut");
  const std::string second = s3.storage->ScratchPath("chunks/00001.nut");
  CHECK(first != second);
  CHECK(first.ends_with("-00001.nut"));
  CHECK(fs::is_directory(fs::path(first).parent_path()));
  CHECK(s3.storage->ScratchPath(std::string(300, 'x') + ".nut").size() <
        s3.local.path().string().size() + 130);
}

TEST_CASE("S3Storage removes the local folder it made itself") {
  FakeServer server;
  fs::path folder;
  {
    S3Storage::Options options;
    options.connect = [&server] { return std::make_unique<FakeTransport>(server); };
    S3Storage storage(ConfigWith({}), std::move(options));
    folder = fs::path(storage.ScratchPath("x")).parent_path().parent_path();
    CHECK(fs::is_directory(folder));
    CHECK(folder.filename().string().starts_with("vodctl-s3-cache-"));
  }
  CHECK_FALSE(fs::exists(folder));
}

TEST_CASE("S3Storage sends the parts of a multipart upload side by side, of the size asked") {
  FakeS3 s3({}, {{"VODCTL_S3_PART_SIZE", "5"}, {"VODCTL_S3_UPLOAD_CONNECTIONS", "3"}});
  constexpr int64_t kMiB = 1 << 20;
  const std::string path = MakeLocalFile(*s3.storage, 12 * kMiB);
  const std::string file = FileContents(path);
  std::atomic<int> in_flight{0};
  std::atomic<int> most_in_flight{0};
  s3.server.answer = [&](const Exchange& exchange) {
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
    if (exchange.method == "PUT") {
      parts[exchange.url.substr(exchange.url.find("partNumber=") + 11, 1)] = exchange.body;
    }
  }
  REQUIRE(parts.size() == 3);
  CHECK(parts["1"] == file.substr(0, 5 * kMiB));
  CHECK(parts["2"] == file.substr(5 * kMiB, 5 * kMiB));
  CHECK(parts["3"] == file.substr(10 * kMiB));
  CHECK(s3.server.exchanges.back().body.find(
            "<Part><PartNumber>3</PartNumber><ETag>\"e3\"</ETag></Part>") != std::string::npos);
}

TEST_CASE("S3 upload tuning comes from the environment, within S3's limits") {
  const S3Config defaults = ConfigWith({});
  CHECK(defaults.part_size == S3Storage::kDefaultPartSize);
  CHECK(defaults.upload_connections == 4);
  const S3Config tuned =
      ConfigWith({{"VODCTL_S3_PART_SIZE", "128"}, {"VODCTL_S3_UPLOAD_CONNECTIONS", "8"}});
  CHECK(tuned.part_size == int64_t{128} << 20);
  CHECK(tuned.upload_connections == 8);
  CHECK_THROWS_MATCHES(ConfigWith({{"VODCTL_S3_PART_SIZE", "4"}}), Error,
                       IsError(ExitCode::kUsage, "VODCTL_S3_PART_SIZE must be a whole number "
                                                 "from 5 to 5120, not '4'"));
  CHECK_THROWS_MATCHES(ConfigWith({{"VODCTL_S3_UPLOAD_CONNECTIONS", "two"}}), Error,
                       IsError(ExitCode::kUsage, "VODCTL_S3_UPLOAD_CONNECTIONS"));
}

TEST_CASE("S3 payloads are signed over http and left to TLS over https, unless told") {
  const auto signs = [](const std::string& endpoint, const std::string& signing = "") {
    std::map<std::string, std::string> variables{{"AWS_ENDPOINT_URL", endpoint}};
    if (!signing.empty()) variables["VODCTL_S3_PAYLOAD_SIGNING"] = signing;
    return ConfigWith(variables).sign_payloads;
  };
  CHECK(signs("http://127.0.0.1:9000"));
  CHECK_FALSE(signs("https://minio.example.com"));
  CHECK_FALSE(ConfigWith({}).sign_payloads);  // AWS itself: https
  CHECK(signs("http://127.0.0.1:9000", "auto"));
  CHECK(signs("https://minio.example.com", "always"));
  CHECK_FALSE(signs("http://127.0.0.1:9000", "never"));
  CHECK_THROWS_MATCHES(signs("http://127.0.0.1:9000", "sometimes"), Error,
                       IsError(ExitCode::kUsage, "VODCTL_S3_PAYLOAD_SIGNING must be 'auto', "
                                                 "'always' or 'never', not 'sometimes'"));
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
  REQUIRE(exchanges.size() == 6);  // PUT; POST, 2 part PUTs, POST; PUT
  for (const int store : {0, 2, 3, 5}) {
    CHECK(exchanges[store].method == "PUT");
    CHECK(exchanges[store].Header("x-amz-content-sha256") == "UNSIGNED-PAYLOAD");
    CHECK(exchanges[store].Header("Content-MD5").empty());
    CHECK(exchanges[store].Header("Authorization").starts_with("AWS4-HMAC-SHA256 "));
  }
  CHECK(exchanges[0].Header("Content-Type") == "application/octet-stream");
  CHECK(exchanges[5].Header("Content-Type") == "application/json");
  for (const int steering : {1, 4}) {
    CHECK(exchanges[steering].method == "POST");
    CHECK(exchanges[steering].Header("x-amz-content-sha256") ==
          Sha256::Of(exchanges[steering].body));
  }
}

// Serves `object` to HEAD and to ranged GETs, as S3 does.
HttpResponse ServeRanges(const Exchange& exchange, const std::string& object,
                         const std::string& etag) {
  if (exchange.method == "HEAD") {
    return Answer(200, "", {{"content-length", std::to_string(object.size())}, {"etag", etag}});
  }
  if (exchange.Header("If-Match") != etag) {
    return Answer(412, ErrorDocument("PreconditionFailed", "At least one of the pre-conditions "
                                                           "you specified did not hold"));
  }
  const std::string range = exchange.Header("Range");  // bytes=FIRST-LAST
  const size_t dash = range.find('-');
  const size_t first = std::stoul(range.substr(6, dash - 6));
  const size_t last = std::stoul(range.substr(dash + 1));
  return Answer(206, object.substr(first, last - first + 1));
}

TEST_CASE("S3Storage reads objects in place through a bounded window of ranged GETs") {
  FakeS3 s3;
  constexpr int64_t kWindow = S3Storage::kReadWindowSize;
  std::string object(static_cast<size_t>(6 * kWindow + 5), '\0');
  for (size_t i = 0; i < object.size(); ++i) object[i] = static_cast<char>(i * 7 % 251);
  s3.server.answer = [&](const Exchange& exchange) {
    return ServeRanges(exchange, object, "\"v1\"");
  };
  std::unique_ptr<RandomAccessReader> reader = s3.storage->OpenForRead("src/a b.mp4");
  CHECK(reader->size() == static_cast<int64_t>(object.size()));
  CHECK(reader->name() == "s3://bucket/pre/src/a b.mp4");

  auto read = [&](int64_t offset, size_t count) {
    std::string bytes(count, '\0');
    bytes.resize(reader->ReadAt(offset, bytes.data(), count));
    return bytes;
  };
  // The ranges asked for so far, each as its first byte, in order.
  auto fetched = [&] {
    std::lock_guard lock(s3.server.mutex);
    std::vector<int64_t> starts;
    for (const Exchange& exchange : s3.server.exchanges) {
      if (exchange.method != "GET") continue;
      const std::string range = exchange.Header("Range");
      const size_t dash = range.find('-');
      CHECK(range.starts_with("bytes="));
      CHECK(std::stoll(range.substr(dash + 1)) - std::stoll(range.substr(6, dash - 6)) <
            kWindow);
      CHECK(exchange.Header("If-Match") == "\"v1\"");
      starts.push_back(std::stoll(range.substr(6, dash - 6)));
    }
    return starts;
  };

  SECTION("read front to back, each window is fetched once, the last one short") {
    std::string all;
    for (int64_t offset = 0; offset < reader->size(); offset += 100'000) {
      all += read(offset, 100'000);
    }
    CHECK(all == object);
    CHECK(read(static_cast<int64_t>(object.size()), 10).empty());
    std::vector<int64_t> starts = fetched();
    std::sort(starts.begin(), starts.end());
    CHECK(starts == std::vector<int64_t>{0, kWindow, 2 * kWindow, 3 * kWindow, 4 * kWindow,
                                         5 * kWindow, 6 * kWindow});
  }
  SECTION("jumping about reads the right bytes; a window held costs no request") {
    CHECK(read(kWindow - 10, 20) == object.substr(kWindow - 10, 20));
    CHECK(read(3 * kWindow, 8) == object.substr(3 * kWindow, 8));
    CHECK(read(5 * kWindow + 1, 8) == object.substr(5 * kWindow + 1, 8));
    CHECK(read(kWindow - 3, 3) == object.substr(kWindow - 3, 3));
    reader.reset();  // waits for any fetch still out
    const size_t requests = fetched().size();
    reader = s3.storage->OpenForRead("src/a b.mp4");
    CHECK(read(0, 8) == object.substr(0, 8));
    CHECK(read(0, 8) == object.substr(0, 8));
    CHECK(read(10, 8) == object.substr(10, 8));
    reader.reset();
    // Window 0 once, and at most window 1 ahead of it.
    CHECK(fetched().size() - requests <= 2);
    CHECK(fetched()[requests] == 0);
  }
}

TEST_CASE("S3Storage fails a read of an object replaced since it was opened") {
  FakeS3 s3;
  std::string etag = "\"v1\"";
  s3.server.answer = [&](const Exchange& exchange) {
    return ServeRanges(exchange, "0123456789", etag);
  };
  std::unique_ptr<RandomAccessReader> reader = s3.storage->OpenForRead("a.mp4");
  etag = "\"v2\"";
  char buffer[4];
  CHECK_THROWS_MATCHES(reader->ReadAt(0, buffer, sizeof buffer), Error,
                       IsError(ExitCode::kIoError, "HTTP 412 PreconditionFailed"));
  s3.server.answer = [](const Exchange&) { return Answer(404); };
  CHECK_THROWS_MATCHES(s3.storage->OpenForRead("gone.mp4"), Error,
                       IsError(ExitCode::kIoError, "missing 's3://bucket/pre/gone.mp4'"));
}

}  // namespace
}  // namespace vodctl
