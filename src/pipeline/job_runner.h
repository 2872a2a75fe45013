// Drives a job's steps and records each one's progress in the state store. The steps
// themselves (steps.h) know nothing of step states, leases or locks; this is the only place
// that does.
//
// Invariants:
// - A step or chunk is marked done only after its artefacts are stored, with their size and
//   checksum recorded; a resume checks them again before trusting them.
// - A step that is already done is not run again (re-running is a no-op).
// - One process drives a job at a time (the job lock); chunks are claimed with leases, so
//   any number of `transcode-chunk --next` workers encode each chunk once.
// - A permanent failure marks the job failed with the error's message; an interruption
//   leaves the job pending, with its leases released, for `resume`.
#pragma once

#include "vodctl/state_store.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace vodctl {

struct RunnerOptions {
  std::string state_path;  // workers open their own connections to it
  int workers = 1;         // chunks transcoded side by side by run/resume
  bool wait_for_lock = false;  // wait for another process's job lock instead of exiting 75
};

class JobRunner {
 public:
  JobRunner(StateStore& state, std::string job_id, RunnerOptions options);

  void Split();
  // Transcodes the given chunk, or with no index the next claimable one. Returns the index
  // of the chunk it transcoded, or nothing when there was nothing to claim (done, or held by
  // another worker). Error(kDataError) when the chunk (with no index: any chunk) failed for
  // good, so that a scheduler's array task does not count it a success.
  std::optional<int> TranscodeChunk(std::optional<int> index);
  void Concat();
  void Segment();
  // Checks the artefacts of what is done, then runs every step not done yet, in order.
  void RunToEnd();

  // For batches (ingest, resume --all, prune), which take the jobs nobody holds and never
  // wait: kHeld when another process holds the job (nothing was done), kLeft when `wanted`,
  // asked once the job is held (another process may have finished it since it was listed),
  // says no. `wanted` may prepare the job, e.g. make a failed job's chunks pending again.
  enum class Claim { kTaken, kHeld, kLeft };
  using Wanted = std::function<bool(const JobRecord&)>;
  Claim RunToEndIfFree(const Wanted& wanted);
  // Removes the job's tmp data and then the job from the state, adding the bytes removed to
  // `bytes_freed`.
  Claim RemoveIfFree(const Wanted& wanted, int64_t& bytes_freed);

 private:
  class JobLock;
  enum class IfHeld { kFail, kWait, kSkip };

  void RunToEndLocked();

  // The steps, for a caller that holds the job lock.
  void SplitLocked();
  void ConcatLocked();
  void SegmentLocked();
  template <typename Body>
  void RunStep(Step step, Body body);
  void RequireDone(Step step, const char* before);
  void TranscodeAllChunks();
  void FinishTranscodeIfComplete();
  void FailIfChunkFailedForGood(std::optional<int> index);
  // Before concat or segment on a host that may not have transcoded the chunks itself: takes
  // the results other hosts left in tmp, checks every chunk is done with its files intact,
  // and names the ones that are not (Error kUsage, or kTempFail when all are still running).
  void GatherChunkResults(const char* before);
  // For a caller that holds the job lock: runs `step` to the end when it is marked running,
  // as only a holder of the lock runs it and the one that did is gone. So `segment` after a
  // kill -9 in concat finishes concat and goes on, instead of waiting for nobody (exit 75).
  void TakeOverIfAbandoned(Step step);
  void ReleaseChunksOfDeadWorkers();
  void VerifyArtefacts();
  void Interrupted(Step step);
  // Marks the job (and the step, if one was running) failed, then rethrows; Error(kTempFail)
  // instead when the job lock was lost.
  [[noreturn]] void FailJob(const std::exception& error, std::optional<Step> step);
  // Error(kTempFail) naming the lock's lost holder unless `written` (a fenced write landed).
  void RequireLock(bool written);

  StateStore& state_;
  std::string job_id_;
  RunnerOptions options_;
  // This process's owner name while it holds the job lock (also in the transcode workers it
  // starts), else empty: its job-level writes are fenced by the lock while it is set.
  std::string lock_owner_;
};

// This process's ProcessIdentity as text (env.h), the owner recorded on leases and locks.
std::string WorkerName();

}  // namespace vodctl
