#include "util/interrupt.h"

#include "vodctl/error.h"

#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

namespace vodctl {
namespace {

// The exit status of `body` run in a child process (the stop state is process-wide, and the
// second signal ends the process): its own exit code, or 0 when it returns.
int ExitStatusOf(const std::function<void()>& body) {
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    body();
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

constexpr int kTempFail = static_cast<int>(ExitCode::kTempFail);

TEST_CASE("The first signal after a stop asked for by a lost lease still unwinds", "[interrupt]") {
  CHECK(ExitStatusOf([] {
          InstallStopSignalHandlers();
          RequestStop("lease lost");
          raise(SIGINT);
          _exit(StopRequested() ? 0 : 1);
        }) == 0);
}

TEST_CASE("A second signal ends the process at once with 75", "[interrupt]") {
  CHECK(ExitStatusOf([] {
          InstallStopSignalHandlers();
          raise(SIGTERM);
          if (!StopRequested()) _exit(1);
          raise(SIGINT);
          _exit(2);  // not reached: the second signal exits
        }) == kTempFail);
}

}  // namespace
}  // namespace vodctl
