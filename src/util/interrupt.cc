#include "util/interrupt.h"

#include "vodctl/error.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>

namespace vodctl {
namespace {

std::atomic<const char*> g_stop_reason{nullptr};

void OnStopSignal(int signal_number) {
  const char* reason = signal_number == SIGTERM ? "SIGTERM" : "SIGINT";
  const char* expected = nullptr;
  if (!g_stop_reason.compare_exchange_strong(expected, reason)) {
    // The second signal: the user wants out now.
    static constexpr char kMessage[] = "vodctl: second signal, exiting at once\n";
    (void)!write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
    _exit(static_cast<int>(ExitCode::kTempFail));
  }
}

}  // namespace

void InstallStopSignalHandlers() {
  struct sigaction action = {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

void RequestStop(const char* reason) {
  const char* expected = nullptr;
  g_stop_reason.compare_exchange_strong(expected, reason);
}

bool StopRequested() { return g_stop_reason.load() != nullptr; }

void ThrowIfStopRequested(std::string_view what) {
  if (const char* reason = g_stop_reason.load()) {
    Fail(ExitCode::kTempFail, "{}: stopped ({})", what, reason);
  }
}

}  // namespace vodctl
