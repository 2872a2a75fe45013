// `prune`: frees the tmp data of finished jobs and forgets them. Only jobs nobody holds are
// touched, and never an unfinished one: its tmp data is its checkpoint.
#pragma once

#include "pipeline/job_runner.h"
#include "vodctl/state_store.h"

#include <cstdint>
#include <string>

namespace vodctl {

struct PruneOptions {
  int64_t older_than_ms = 7 * 24 * 3600 * 1000LL;  // since the job last changed
  bool failed = false;                            // failed jobs too
};

struct PruneResult {
  int jobs = 0;           // removed from the state
  int64_t bytes = 0;      // of tmp data removed
};

// "7d", "12h", "30m", "45s", "2w" or "0" in milliseconds; Error(kUsage) for anything else.
int64_t ParseAge(const std::string& text);

PruneResult Prune(StateStore& state, const RunnerOptions& runner_options,
                  const PruneOptions& options);

}  // namespace vodctl
