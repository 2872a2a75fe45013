// The one error type vodctl raises. Every failure carries the exit code it maps to (sysexits)
// and a one-line message that names what failed and where; the CLI boundary prints the
// message and exits with the code. Nothing below the CLI prints errors itself.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace vodctl {

enum class ExitCode : int {
  kOk = 0,
  kUsage = 64,        // EX_USAGE: bad command line (unknown option, bad job ID, options clash)
  kDataError = 65,    // EX_DATAERR: the source or an option value is bad (undecodable, bad ladder)
  kNoInput = 66,      // EX_NOINPUT: a source, object or bucket that must exist does not
  kSoftware = 70,     // EX_SOFTWARE: an internal invariant broke (a bug)
  kUnavailable = 69,  // EX_UNAVAILABLE: a service stayed unreachable after retries
  kIoError = 74,      // EX_IOERR: reading or writing local files failed
  kTempFail = 75,     // EX_TEMPFAIL: interrupted or locked; running again later will work
  kNoPermission = 77, // EX_NOPERM: storage refused the credentials or the access
};

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, std::string message)
      : std::runtime_error(std::move(message)), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

template <typename... Args>
[[noreturn]] void Fail(ExitCode code, fmt::format_string<Args...> format, Args&&... args) {
  throw Error(code, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace vodctl
