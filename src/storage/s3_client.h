// The signed call with retries: sends an S3Call until it succeeds or fails for good.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <random>

#include "storage/curl_handle.h"
#include "storage/s3_config.h"
#include "storage/s3_request.h"
#include "util/backoff.h"

namespace vodctl {

// Transient failures (5xx, 429, timeouts, resets) are retried with exponential backoff and
// jitter; a service still failing afterwards is Error(kUnavailable), any other refusal the
// exit code S3RefusalExitCode gives, at once. Thread-safe: upload threads share one.
class S3Client {
 public:
  // `sleep` waits between attempts; std::this_thread::sleep_for when null.
  S3Client(const S3Config& config, RetryPolicy retry,
           std::function<void(std::chrono::milliseconds)> sleep);

  // Sends `call` over `transport`, which must be used by this thread alone, until it succeeds
  // or fails for good; returns the 2xx response, or the 404 one when `missing_ok`.
  // `attempts`, when given, counts the requests sent, kept up to date as they go out (also
  // when Send throws): past 1, an earlier one may have taken effect with its answer lost,
  // which callers of calls that are not idempotent must allow for.
  HttpResponse Send(HttpTransport& transport, const S3Call& call, BodySource* body,
                    BodySink* sink, bool missing_ok, int* attempts = nullptr);

 private:
  const S3Config& config_;
  RetryPolicy retry_;
  std::function<void(std::chrono::milliseconds)> sleep_;
  std::mutex random_mutex_;  // upload threads draw jitter too
  std::minstd_rand random_;
};

}  // namespace vodctl
