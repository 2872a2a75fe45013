#include "storage/s3_client.h"


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
  CHECK(error.code() == ExitCode::kNoPermission);
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
                       IsError(ExitCode::kNoInput, "S3 GET " + std::string(kRoot) +
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

TEST_CASE("S3Client counts the requests it sent, also when it gives up") {
  QuietLog quiet;
  FakeServer server;
  FakeTransport transport(server);
  const S3Config config = ConfigWith({{"AWS_ENDPOINT_URL", std::string(kEndpoint)}});
  S3Client client(config, {.attempts = 3}, [](milliseconds) {});
  int failures_left = 1;
  server.answer = [&](const Exchange&) {
    return failures_left-- > 0 ? TransportFailure(CURLE_GOT_NOTHING) : Answer(200);
  };
  int attempts = 0;
  client.Send(transport, {.method = "POST", .object_key = "k", .query = {{"uploads", ""}}},
              nullptr, nullptr, false, &attempts);
  CHECK(attempts == 2);  // the first may have taken effect: its answer alone is known lost

  failures_left = 5;
  CHECK_THROWS_AS(client.Send(transport, {.method = "GET", .object_key = "k"}, nullptr, nullptr,
                              false, &attempts),
                  Error);
  CHECK(attempts == 3);
}

}  // namespace
}  // namespace vodctl
