// Drives a job's steps and records each one's progress in the state store. The steps
// themselves (steps.h) know nothing of step states; this is the only place that does.
//
// Invariants:
// - A step or chunk is marked done only after its artefacts are stored.
// - A step that is already done is not run again (re-running is a no-op).
// - A failing step marks the job failed with the error's message before the error goes on.
#pragma once

#include "vodctl/state_store.h"

#include <optional>
#include <string>

namespace vodctl {

struct RunnerOptions {
  std::string state_path;  // workers open their own connections to it
  int workers = 1;         // chunks transcoded side by side by run/resume
};

class JobRunner {
 public:
  JobRunner(StateStore& state, std::string job_id, RunnerOptions options);

  void Split();
  // Transcodes the given chunk, or with no index the next claimable one. Returns false when
  // there was nothing to claim (done, or held by another worker).
  bool TranscodeChunk(std::optional<int> index);
  void Concat();
  void Segment();
  // Every step not done yet, in order; then tmp is freed unless the job keeps it.
  void RunToEnd();

 private:
  // Runs `body` as step `step`: skipped when done, marked running/done/failed around it.
  template <typename Body>
  void RunStep(Step step, Body body);
  void RequireDone(Step step, const char* before);
  void TranscodeAllChunks();
  void FinishTranscodeIfComplete();
  [[noreturn]] void FailJob(const std::exception& error, Step step);

  StateStore& state_;
  std::string job_id_;
  RunnerOptions options_;
};

// "host:pid", the owner recorded on chunk leases.
std::string WorkerName();

}  // namespace vodctl
