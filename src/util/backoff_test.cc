#include "util/backoff.h"

#include <catch2/catch.hpp>

namespace vodctl {

using std::chrono::milliseconds;

TEST_CASE("BackoffDelay doubles from the first delay up to the cap, jittered down to half") {
  const RetryPolicy policy;  // 200 ms doubling to 10 s
  CHECK(BackoffDelay(policy, 1, 0.0) == milliseconds(100));
  CHECK(BackoffDelay(policy, 1, 0.999) == milliseconds(199));
  CHECK(BackoffDelay(policy, 2, 0.5) == milliseconds(300));
  CHECK(BackoffDelay(policy, 4, 0.0) == milliseconds(800));
  CHECK(BackoffDelay(policy, 7, 0.999) == milliseconds(9995));
  CHECK(BackoffDelay(policy, 30, 0.0) == milliseconds(5000));
}

}  // namespace vodctl
