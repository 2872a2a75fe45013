#include "storage/s3_object_reader.h"
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
                       IsError(ExitCode::kNoInput, "missing 's3://bucket/pre/gone.mp4'"));
}

TEST_CASE("S3ObjectReader reads across windows on its own connection and the one it is given") {
  QuietLog quiet;
  FakeServer server;
  std::string object(S3ObjectReader::kWindowSize + 10, 'a');
  object.back() = 'z';
  server.answer = [&](const Exchange& exchange) { return ServeRanges(exchange, object, "\"v1\""); };
  FakeTransport transport(server);
  int connections = 0;
  const S3Config config = ConfigWith({{"AWS_ENDPOINT_URL", std::string(kEndpoint)}});
  S3Client client(config, {}, [](milliseconds) {});
  S3ObjectReader reader(
      client, transport,
      [&] {
        ++connections;
        return std::make_unique<FakeTransport>(server);
      },
      "pre/big.nut", "s3://bucket/pre/big.nut", static_cast<int64_t>(object.size()), "\"v1\"");
  CHECK(reader.size() == static_cast<int64_t>(object.size()));
  CHECK(reader.name() == "s3://bucket/pre/big.nut");
  char buffer[20];
  REQUIRE(reader.ReadAt(S3ObjectReader::kWindowSize - 5, buffer, sizeof buffer) == 15);
  CHECK(std::string(buffer, 15) == std::string(14, 'a') + "z");
  CHECK(reader.ReadAt(static_cast<int64_t>(object.size()), buffer, sizeof buffer) == 0);
  CHECK(connections == 1);  // the fetch ahead of the second window
}

}  // namespace
}  // namespace vodctl
