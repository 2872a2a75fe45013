#include "pipeline/prune.h"

#include "vodctl/error.h"
#include "vodctl/log.h"

#include <chrono>
#include <map>

namespace vodctl {

int64_t ParseAge(const std::string& text) {
  static const std::map<char, int64_t> kUnitMs = {
      {'s', 1000}, {'m', 60'000}, {'h', 3'600'000}, {'d', 86'400'000}, {'w', 604'800'000}};
  if (text == "0") return 0;
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  auto unit = text.size() == digits + 1 ? kUnitMs.find(text.back()) : kUnitMs.end();
  if (digits == 0 || digits > 9 || unit == kUnitMs.end()) {
    Fail(ExitCode::kUsage, "invalid age '{}': give a number and a unit, e.g. 7d, 12h, 30m, 45s",
         text);
  }
  return std::stoll(text.substr(0, digits)) * unit->second;
}

PruneResult Prune(StateStore& state, const RunnerOptions& runner_options,
                  const PruneOptions& options) {
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  // Asked again once the job is held: a failed job may have been resumed meanwhile.
  auto finished = [&](const JobRecord& job) {
    const bool state_ok = job.state == JobState::kDone ||
                          (options.failed && job.state == JobState::kFailed);
    return state_ok && job.updated_at_ms <= now_ms - options.older_than_ms;
  };
  PruneResult result;
  for (const JobRecord& job : state.ListJobs()) {
    if (!finished(job)) continue;
    int64_t bytes = 0;
    if (JobRunner(state, job.id, runner_options).RemoveIfFree(finished, bytes) ==
        JobRunner::Claim::kTaken) {
      log::Info("job '{}': pruned ({} {}, {} bytes of tmp data)", job.id, ToString(job.state),
                job.state == JobState::kFailed ? job.error : job.output, bytes);
      ++result.jobs;
      result.bytes += bytes;
    }
  }
  return result;
}

}  // namespace vodctl
