#include "util/backoff.h"

#include <algorithm>

namespace vodctl {

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry, double jitter) {
  std::chrono::milliseconds delay = policy.first_delay;
  for (int i = 1; i < retry && delay < policy.max_delay; ++i) delay *= 2;
  delay = std::min(delay, policy.max_delay);
  return std::chrono::duration_cast<std::chrono::milliseconds>(delay * (0.5 + 0.5 * jitter));
}

}  // namespace vodctl
