#include "pipeline/worker_retry.h"

#include <utility>

namespace vodctl {

WorkerRetry::WorkerRetry(RetryPolicy policy, Wait wait, std::function<double()> jitter)
    : policy_(policy), wait_(std::move(wait)), jitter_(std::move(jitter)) {}

void WorkerRetry::Run(const std::function<bool()>& turn,
                      const std::function<bool(const Error&)>& final) {
  int failures = 0;  // in a row
  while (true) {
    try {
      if (!turn()) return;
      failures = 0;
    } catch (const Error& error) {
      if (final(error) || ++failures >= policy_.attempts) throw;
      wait_(error, BackoffDelay(policy_, failures, jitter_()));
    }
  }
}

}  // namespace vodctl
