// How a worker of run/resume keeps going through failures: a failure is tried again after a
// backoff, and the worker gives up after the policy's number of failures in a row. The bound
// matters for failures that count no chunk attempt (the state database read-only or full,
// before any claim): without it the worker would spin for ever.
#pragma once

#include "util/backoff.h"
#include "vodctl/error.h"

#include <chrono>
#include <functional>

namespace vodctl {

class WorkerRetry {
 public:
  // `wait` waits out a delay after `error` (and may throw to stop); `jitter` gives numbers
  // in [0, 1) to spread workers' retries.
  using Wait = std::function<void(const Error& error, std::chrono::milliseconds delay)>;
  WorkerRetry(RetryPolicy policy, Wait wait, std::function<double()> jitter);

  // Runs `turn` until it returns false (nothing left to do). An Error it throws is thrown on
  // at once when `final(error)` says no retry can help, and when it is the policy's
  // attempts-th failure in a row; otherwise the turn runs again after a backoff. A turn that
  // returns true starts the count again.
  void Run(const std::function<bool()>& turn, const std::function<bool(const Error&)>& final);

 private:
  RetryPolicy policy_;
  Wait wait_;
  std::function<double()> jitter_;
};

}  // namespace vodctl
