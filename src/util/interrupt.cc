#include "util/interrupt.h"

#include "vodctl/error.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>

namespace vodctl {
namespace {

// Why the work stops: the first signal's name, or what RequestStop said (a lost lease).
std::atomic<const char*> g_stop_reason{nullptr};
// Signals received, counted apart from the stop reason: a stop asked for by a lost lease is
// not a first Ctrl-C, so the user's first Ctrl-C after it still unwinds cleanly.
std::atomic<int> g_stop_signals{0};
static_assert(std::atomic<int>::is_always_lock_free, "used in a signal handler");

void OnStopSignal(int signal_number) {
  if (g_stop_signals.fetch_add(1) > 0) {
    // The second signal: the user wants out now.
    static constexpr char kMessage[] = "vodctl: second signal, exiting at once\n";
    (void)!write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
    _exit(static_cast<int>(ExitCode::kTempFail));
  }
  const char* expected = nullptr;
  g_stop_reason.compare_exchange_strong(expected,
                                        signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
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
