#include "pipeline/batch.h"

#include "util/interrupt.h"
#include "vodctl/log.h"

namespace vodctl {
namespace {

constexpr const char* kRemovedSinceListed = "removed (by a prune) since it was listed";

}  // namespace

std::optional<std::string> SkipReason(const JobRecord& job, const BatchOptions& options) {
  if (job.state == JobState::kDone) return "done already";
  if (job.state == JobState::kFailed && !options.retry_failed) {
    return fmt::format("failed earlier ({}); `vodctl resume --all` tries it again", job.error);
  }
  return std::nullopt;
}

void RetryFailedChunks(StateStore& state, const std::string& id) {
  for (const ChunkRecord& chunk : state.ListChunks(id)) {
    if (chunk.state == ChunkState::kFailed) state.ResetChunk(id, chunk.plan.index);
  }
}

BatchRunner::BatchRunner(StateStore& state, RunnerOptions runner_options, BatchOptions options)
    : state_(state), runner_options_(std::move(runner_options)), options_(options) {}

void BatchRunner::Run(const std::vector<std::string>& ids, BatchReport& report) {
  int taken = 0;
  for (const std::string& id : ids) {
    BatchJob entry;
    entry.id = id;
    // A job listed a moment ago may be gone: a concurrent `prune` removed it.
    std::optional<JobRecord> found = state_.FindJob(id);
    if (!found) {
      entry.reason = kRemovedSinceListed;
      report.Add(std::move(entry));
      continue;
    }
    const JobRecord& job = *found;
    entry.source = job.source;
    entry.output = job.output;
    if (options_.max_jobs > 0 && taken >= options_.max_jobs) {
      entry.reason = fmt::format("--max-jobs {} reached", options_.max_jobs);
    } else if (std::optional<std::string> why = SkipReason(job, options_)) {
      entry.reason = *why;
    } else {
      RunOne(entry);
      if (entry.outcome != BatchJob::Outcome::kSkipped) ++taken;
    }
    const bool stop = entry.outcome == BatchJob::Outcome::kUnfinished && StopRequested();
    report.Add(std::move(entry));
    if (stop) return;
  }
}

void BatchRunner::RunOne(BatchJob& entry) {
  const auto start = std::chrono::steady_clock::now();
  // Checked again once the job is held: another process may have finished it meanwhile.
  auto wanted = [&](const JobRecord& job) {
    if (std::optional<std::string> why = SkipReason(job, options_)) {
      entry.reason = *why;
      return false;
    }
    if (job.state == JobState::kFailed) RetryFailedChunks(state_, entry.id);
    log::Info("job '{}': running {}", entry.id, job.source);
    return true;
  };
  try {
    switch (JobRunner(state_, entry.id, runner_options_).RunToEndIfFree(wanted)) {
      case JobRunner::Claim::kHeld:
        entry.reason = "another process is working on it";
        return;
      case JobRunner::Claim::kLeft:
        return;
      case JobRunner::Claim::kTaken:
        entry.outcome = BatchJob::Outcome::kDone;
        break;
    }
  } catch (const std::exception& error) {
    if (!state_.FindJob(entry.id)) {  // pruned between the look above and taking its lock
      entry.reason = kRemovedSinceListed;
      return;
    }
    const auto* vodctl_error = dynamic_cast<const Error*>(&error);
    entry.code = vodctl_error ? vodctl_error->code() : ExitCode::kSoftware;
    entry.outcome = entry.code == ExitCode::kTempFail ? BatchJob::Outcome::kUnfinished
                                                      : BatchJob::Outcome::kFailed;
    entry.reason = error.what();
    log::Info("job '{}': {}", entry.id, error.what());
  }
  entry.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace vodctl
