#include "storage/s3_config.h"


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
// Configuration


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

}  // namespace
}  // namespace vodctl
