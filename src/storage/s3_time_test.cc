#include "storage/s3_time.h"

#include <catch2/catch.hpp>

namespace vodctl {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("ParseHttpDate and ParseIso8601 read S3's times as UTC") {
  // 2026-12-07T02:22:29Z
  const S3Time expected = std::chrono::system_clock::from_time_t(1796610149);
  CHECK(ParseHttpDate("Mon, 07 Dec 2026 02:22:29 GMT") == expected);
  CHECK(ParseIso8601("2026-12-07T02:22:29Z") == expected);
  CHECK(ParseIso8601("2026-12-07T02:22:29.000Z") == expected);
  CHECK(ParseIso8601("2026-12-07T02:22:29.25Z") == expected + milliseconds(250));
  CHECK(ParseIso8601("2026-12-07T02:22:29.123456789Z") ==
        expected + std::chrono::microseconds(123456));
  for (const char* bad : {"", "yesterday", "2026-12-07 02:22:29", "2026-12-07T02:22:29+01:00",
                          "Mon, 07 Dec 2026 02:22:29 GMT"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseIso8601(bad));
  }
  CHECK_FALSE(ParseHttpDate("Mon, 07 Dec 2026 02:22:29 CET"));
  CHECK_FALSE(ParseHttpDate("2026-12-07T02:22:29Z"));
}

}  // namespace
}  // namespace vodctl
