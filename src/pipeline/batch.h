// Runs many jobs in one invocation (ingest, resume --all) so that overlapping invocations, by
// cron or by several processes sharing one state database, share the work: each job is taken
// with the job lock only when nobody holds it, and a job someone else holds is skipped, not
// waited for. One job that fails does not stop the others; a stop request does.
#pragma once

#include "pipeline/batch_report.h"
#include "pipeline/job_runner.h"
#include "vodctl/state_store.h"

#include <optional>
#include <string>
#include <vector>

namespace vodctl {

struct BatchOptions {
  bool retry_failed = false;  // resume --all tries failed jobs again; ingest leaves them be
  int max_jobs = 0;           // jobs run per invocation; 0 for no limit
};

// Why a batch leaves `job` alone as it is now, or nothing when it would run it.
std::optional<std::string> SkipReason(const JobRecord& job, const BatchOptions& options);

// Makes the failed chunks of `id` pending again, so that running the job tries them again.
void RetryFailedChunks(StateStore& state, const std::string& id);

class BatchRunner {
 public:
  BatchRunner(StateStore& state, RunnerOptions runner_options, BatchOptions options);

  // Runs the jobs in order, adding each one's outcome to `report`.
  void Run(const std::vector<std::string>& ids, BatchReport& report);

 private:
  // Runs one job if it is free and still wanted; fills in the outcome.
  void RunOne(BatchJob& entry);

  StateStore& state_;
  RunnerOptions runner_options_;
  BatchOptions options_;
};

}  // namespace vodctl
