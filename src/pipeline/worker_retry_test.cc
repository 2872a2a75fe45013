#include "pipeline/worker_retry.h"

#include <catch2/catch.hpp>

#include "test_support.h"

#include <vector>

namespace vodctl {
namespace {

using std::chrono::milliseconds;
using testing::IsError;

constexpr RetryPolicy kPolicy{.attempts = 3, .first_delay = milliseconds(200),
                              .max_delay = milliseconds(2000)};

struct Recorder {
  std::vector<milliseconds> waits;
  WorkerRetry retry{kPolicy, [this](const Error&, milliseconds delay) { waits.push_back(delay); },
                    [] { return 0.999; }};
};

bool NeverFinal(const Error&) { return false; }

}  // namespace

TEST_CASE("WorkerRetry gives up after the policy's failures in a row, backing off between") {
  // A state database that refuses every write: each turn fails before it claims anything.
  Recorder r;
  int turns = 0;
  CHECK_THROWS_MATCHES(r.retry.Run([&]() -> bool {
                         ++turns;
                         Fail(ExitCode::kIoError, "state.db: attempt to write a readonly database");
                       }, NeverFinal),
                       Error, IsError(ExitCode::kIoError, "readonly database"));
  CHECK(turns == 3);
  CHECK(r.waits == std::vector<milliseconds>{milliseconds(199), milliseconds(399)});
}

TEST_CASE("WorkerRetry starts the count again after a turn that succeeds") {
  Recorder r;
  int turns = 0;
  r.retry.Run([&] {
    ++turns;
    if (turns % 3 != 0) Fail(ExitCode::kIoError, "hiccup");  // two failures, then a success
    return turns < 9;
  }, NeverFinal);
  CHECK(turns == 9);
  CHECK(r.waits.size() == 6);
}

TEST_CASE("WorkerRetry throws a final error at once") {
  Recorder r;
  int turns = 0;
  CHECK_THROWS_MATCHES(r.retry.Run([&]() -> bool {
                         ++turns;
                         Fail(ExitCode::kTempFail, "interrupted");
                       }, [](const Error& e) { return e.code() == ExitCode::kTempFail; }),
                       Error, IsError(ExitCode::kTempFail, "interrupted"));
  CHECK(turns == 1);
  CHECK(r.waits.empty());
}

}  // namespace vodctl
