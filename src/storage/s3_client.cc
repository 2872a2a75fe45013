#include "storage/s3_client.h"

#include <thread>
#include <utility>

#include "storage/s3_xml.h"
#include "util/interrupt.h"
#include "vodctl/error.h"
#include "vodctl/log.h"

namespace vodctl {

S3Client::S3Client(const S3Config& config, RetryPolicy retry,
                   std::function<void(std::chrono::milliseconds)> sleep)
    : config_(config),
      retry_(retry),
      sleep_(sleep ? std::move(sleep)
                   : [](std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); }),
      random_(std::random_device()()) {}

HttpResponse S3Client::Send(HttpTransport& transport, const S3Call& call, BodySource* body,
                            BodySink* sink, bool missing_ok, int* attempts) {
  for (int attempt = 1;; ++attempt) {
    if (attempts != nullptr) *attempts = attempt;
    HttpRequest request =
        SignedS3Request(config_, call, sigv4::AmzDate(std::chrono::system_clock::now()));
    request.body = body;
    request.sink = sink;
    HttpResponse response = transport.Perform(request);
    if (missing_ok && response.status == 404) return response;
    const bool has_error_document = response.transport == CURLE_OK &&
                                    (response.status / 100 != 2 || call.may_fail_with_200);
    const S3Error error = has_error_document ? ParseS3Error(response.body) : S3Error();
    const std::string what = fmt::format("S3 {} {}", call.method, request.url);
    switch (ClassifyS3Response(response, error.code)) {
      case S3Verdict::kSuccess:
        return response;
      case S3Verdict::kFail:
        if (response.transport != CURLE_OK) {
          Fail(ExitCode::kUnavailable, "{}: cannot use endpoint {}: {}", what,
               config_.endpoint(), response.transport_error);
        }
        Fail(S3RefusalExitCode(response.status, error.code), "{}: {}", what, S3FailureText(response, error));
      case S3Verdict::kRetry:
        break;
    }
    if (attempt >= retry_.attempts) {
      Fail(ExitCode::kUnavailable, "{}: endpoint {} still failing after {} attempts: {}", what,
           config_.endpoint(), attempt, S3FailureText(response, error));
    }
    ThrowIfStopRequested(what);
    double jitter = 0;
    {
      std::lock_guard lock(random_mutex_);
      jitter = std::uniform_real_distribution<double>(0, 1)(random_);
    }
    const std::chrono::milliseconds delay = BackoffDelay(retry_, attempt, jitter);
    log::Info("{}: {}; retrying in {:.1f} s", what, S3FailureText(response, error),
              delay.count() / 1000.0);
    sleep_(delay);
  }
}

}  // namespace vodctl
