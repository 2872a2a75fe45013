// Exponential backoff with jitter, for whatever retries something that may pass on its own:
// S3 requests, webhook deliveries, chunk workers.
#pragma once

#include <chrono>

namespace vodctl {

struct RetryPolicy {
  int attempts = 8;
  std::chrono::milliseconds first_delay{200};   // doubled after each failure...
  std::chrono::milliseconds max_delay{10'000};  // ...up to this
};

// The wait before retry number `retry` (1 for the first), jittered by `jitter` in [0, 1) to
// between half and all of the exponential delay, so clients that failed together spread out.
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry, double jitter);

}  // namespace vodctl
