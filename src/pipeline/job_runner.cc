#include "pipeline/job_runner.h"

#include "pipeline/artefact.h"
#include "pipeline/job_context.h"
#include "pipeline/job_mirror.h"
#include "pipeline/lease_keeper.h"
#include "pipeline/worker_retry.h"
#include "pipeline/steps.h"
#include "util/backoff.h"
#include "util/interrupt.h"
#include "vodctl/env.h"
#include "vodctl/error.h"
#include "vodctl/log.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace vodctl {
namespace {

// A lease outlives a few missed renewals, and a dead worker's chunk is free again soon after.
constexpr int64_t kLeaseMs = 60'000;
constexpr auto kLockPollInterval = std::chrono::seconds(1);
// A chunk that fails this often for reasons other than bad input fails the job.
constexpr int kMaxChunkAttempts = 3;
// A worker of run/resume gives up after as many failures in a row, whether or not they were
// a chunk's, waiting 0.2 s, then 0.4 s (jittered) in between: a few seconds at most.
constexpr RetryPolicy kWorkerRetry{.attempts = kMaxChunkAttempts,
                                   .first_delay = std::chrono::milliseconds(200),
                                   .max_delay = std::chrono::seconds(2)};

ExitCode CodeOf(const std::exception& error) {
  if (auto* e = dynamic_cast<const Error*>(&error)) return e->code();
  return ExitCode::kSoftware;
}

// The lease length for tests that freeze a worker past its lease (VODCTL_LEASE_SECONDS);
// otherwise kLeaseMs. Renewals come six times a lease, so a lease outlives five missed ones.
int64_t LeaseMs() {
  static const int64_t lease_ms = [] {
    const char* seconds = std::getenv("VODCTL_LEASE_SECONDS");
    if (!seconds || !*seconds) return kLeaseMs;
    try {
      return std::max<int64_t>(1000, static_cast<int64_t>(std::stod(seconds) * 1000));
    } catch (const std::exception&) {
      Fail(ExitCode::kUsage, "VODCTL_LEASE_SECONDS='{}' is not a number of seconds", seconds);
    }
  }();
  return lease_ms;
}

std::chrono::milliseconds RenewInterval() { return std::chrono::milliseconds(LeaseMs() / 6); }

// The first of `chunk`'s rendition files that is not what its result recorded, as (key, why),
// or nothing when they are all intact.
std::optional<std::pair<std::string, std::string>> CheckChunkOutputs(JobContext& context,
                                                                     const ChunkRecord& chunk) {
  for (const Rendition& rendition : context.renditions()) {
    const std::string key = tmp_keys::RenditionChunk(rendition.name, chunk.plan.index);
    if (auto why = CheckArtefact(context.tmp(), key,
                                 chunk.result.value(rendition.name, nlohmann::json()))) {
      return std::make_pair(key, *why);
    }
  }
  return std::nullopt;
}

}  // namespace

std::string WorkerName() { return Env::Default().Self().ToString(); }

// Holds the job lock while it lives, renewing it in the background, and fences the runner's
// job-level writes with it meanwhile. With IfHeld::kSkip it may hold nothing: see held().
class JobRunner::JobLock {
 public:
  JobLock(JobRunner& runner, IfHeld if_held)
      : runner_(runner), state_(runner.state_), job_id_(runner.job_id_), owner_(WorkerName()) {
    while (std::optional<std::string> holder = TryAcquire()) {
      if (if_held == IfHeld::kSkip) {
        log::Info("job '{}': {} is working on it; leaving it to that process", job_id_, *holder);
        return;
      }
      if (if_held == IfHeld::kFail) {
        Fail(ExitCode::kTempFail, "job '{}' is being worked on by {}; try again later or use --wait",
             job_id_, *holder);
      }
      ThrowIfStopRequested(fmt::format("job '{}': waiting for {}", job_id_, *holder));
      std::this_thread::sleep_for(kLockPollInterval);
    }
    keeper_.emplace([this] { return state_.RenewJobLock(job_id_, owner_, LeaseMs()); },
                    RenewInterval(), std::chrono::milliseconds(LeaseMs()),
                    fmt::format("job '{}' lock", job_id_));
    runner_.lock_owner_ = owner_;
  }
  JobLock(JobRunner& runner, bool wait) : JobLock(runner, wait ? IfHeld::kWait : IfHeld::kFail) {}
  ~JobLock() {
    if (!held()) return;
    runner_.lock_owner_.clear();
    StopRenewing();
    try {
      state_.ReleaseJobLock(job_id_, owner_);
    } catch (const std::exception& error) {
      log::Info("job '{}': releasing the lock: {} (it expires by itself)", job_id_, error.what());
    }
  }

  bool held() const { return keeper_.has_value(); }
  const std::string& owner() const { return owner_; }
  // Before the job's row goes away: a renewal would find the lock gone and stop the process.
  void StopRenewing() { keeper_.reset(); }

 private:
  std::optional<std::string> TryAcquire() {
    return state_.AcquireJobLock(job_id_, owner_, LeaseMs());
  }

  JobRunner& runner_;
  StateStore& state_;
  std::string job_id_;
  std::string owner_;
  std::optional<LeaseKeeper> keeper_;
};

JobRunner::JobRunner(StateStore& state, std::string job_id, RunnerOptions options)
    : state_(state), job_id_(std::move(job_id)), options_(std::move(options)) {}

void JobRunner::FailJob(const std::exception& error, std::optional<Step> step) {
  if (step) RequireLock(state_.SetStepState(job_id_, *step, StepState::kFailed, lock_owner_));
  RequireLock(state_.SetJobState(job_id_, JobState::kFailed, error.what(), CodeOf(error),
                                 lock_owner_));
  state_.AddEvent(job_id_, "job-failed", std::nullopt, error.what());
  throw;
}

void JobRunner::RequireLock(bool written) {
  if (written) return;
  Fail(ExitCode::kTempFail, "job '{}': {} lost the job lock to another process; stopping",
       job_id_, lock_owner_);
}

// An interruption is not the job's fault: it goes back to waiting for `resume`.
void JobRunner::Interrupted(Step step) {
  // Unless the job lock was lost meanwhile: the job is then another process's to settle.
  if (!state_.SetStepState(job_id_, step, StepState::kPending, lock_owner_)) return;
  state_.SetJobState(job_id_, JobState::kPending, "", ExitCode::kOk, lock_owner_);
  state_.AddEvent(job_id_, "interrupted", std::nullopt, ToString(step));
}

template <typename Body>
void JobRunner::RunStep(Step step, Body body) {
  JobRecord job = state_.GetJob(job_id_);
  if (job.steps[step] == StepState::kDone) {
    log::Debug("job '{}': {} already done", job_id_, ToString(step));
    return;
  }
  RequireLock(state_.SetJobState(job_id_, JobState::kRunning, "", ExitCode::kOk, lock_owner_));
  RequireLock(state_.SetStepState(job_id_, step, StepState::kRunning, lock_owner_));
  try {
    JobContext context(state_, job_id_);
    body(context);
  } catch (const std::exception& error) {
    if (CodeOf(error) == ExitCode::kTempFail) {
      Interrupted(step);
      throw;
    }
    FailJob(error, step);
  }
  RequireLock(state_.SetStepState(job_id_, step, StepState::kDone, lock_owner_));
  state_.AddEvent(job_id_, "step-done", std::nullopt, ToString(step));
  // Nothing runs between steps: the job waits for the next one (a later step or a driver
  // sets it running again).
  if (step != Step::kSegment) {
    RequireLock(state_.SetJobState(job_id_, JobState::kPending, "", ExitCode::kOk, lock_owner_));
  }
}

void JobRunner::RequireDone(Step step, const char* before) {
  StepState state = state_.GetJob(job_id_).steps[step];
  if (state == StepState::kRunning) {
    Fail(ExitCode::kTempFail, "job '{}': {} is still running; {} can follow when it is done",
         job_id_, ToString(step), before);
  }
  if (state != StepState::kDone) {
    Fail(ExitCode::kUsage, "job '{}': {} is not done yet; it must finish before {}", job_id_,
         ToString(step), before);
  }
}

void JobRunner::Split() {
  JobLock lock(*this, options_.wait_for_lock);
  SplitLocked();
}

void JobRunner::SplitLocked() {
  RunStep(Step::kSplit, [](JobContext& context) { RunSplit(context); });
}

void JobRunner::ReleaseChunksOfDeadWorkers() {
  for (const ChunkRecord& chunk : state_.ListChunks(job_id_)) {
    if (chunk.state != ChunkState::kRunning ||
        Env::Default().LivenessOf(chunk.lease_owner) != Liveness::kGone) {
      continue;
    }
    // Fenced by the lease as listed: a claim since then is someone else's, left alone.
    if (state_.ReleaseChunk(job_id_, ChunkLease::Of(chunk), "worker is gone")) {
      log::Info("job '{}' chunk {}: its worker {} is gone; the chunk is free again", job_id_,
                chunk.plan.index, chunk.lease_owner);
    }
  }
}

std::optional<int> JobRunner::TranscodeChunk(std::optional<int> index) {
  RequireDone(Step::kSplit, "transcode-chunk");
  ReleaseChunksOfDeadWorkers();
  std::optional<ChunkRecord> chunk = state_.ClaimChunk(job_id_, index, WorkerName(), LeaseMs());
  if (!chunk) {
    FailIfChunkFailedForGood(index);
    return std::nullopt;
  }
  const ChunkLease lease = ChunkLease::Of(*chunk);
  const std::string what = fmt::format("job '{}' chunk {} (attempt {} by {})", job_id_,
                                       lease.index, lease.token, lease.owner);
  // Once the lease is lost every write of this worker is refused; it stops the chunk quietly,
  // leaving the chunk, its files and the job to the worker that holds it now.
  auto lost = [&] {
    log::Info("{}: lease lost to another worker; leaving the chunk to it", what);
    return std::nullopt;
  };
  // Fenced by the job lock in run/resume; a lone transcode-chunk worker holds only its lease.
  state_.SetJobState(job_id_, JobState::kRunning, "", ExitCode::kOk, lock_owner_);
  state_.SetStepState(job_id_, Step::kTranscode, StepState::kRunning, lock_owner_);
  try {
    nlohmann::json result;
    {
      // Stopped before the chunk is completed, so a late renewal never finds the lease gone.
      LeaseKeeper keeper([&] { return state_.RenewLease(job_id_, lease, LeaseMs()); },
                         RenewInterval(), std::chrono::milliseconds(LeaseMs()), what);
      JobContext context(state_, job_id_);
      // Just before the chunk's files replace what is in tmp: a worker that was paused past its
      // lease must not overwrite the files of the one that holds it now. Renewing both checks
      // and buys a whole lease for the puts. Still racy: a pause between this check and a put
      // longer than the lease lets a stale put land; the files are then the same job's same
      // chunk encoded from the same input and options, and the recorded checksums, which only
      // the holder writes, catch any difference when concat or resume checks them.
      auto check_lease = [&] {
        if (!state_.RenewLease(job_id_, lease, LeaseMs())) {
          Fail(ExitCode::kTempFail, "{}: lease lost before storing the chunk's files", what);
        }
      };
      result = vodctl::TranscodeChunk(context, *chunk, check_lease);
      check_lease();
      MirrorChunkResult(context.tmp(), lease.index, result);
    }
    if (!state_.CompleteChunk(job_id_, lease, result)) return lost();
  } catch (const std::exception& error) {
    const ExitCode code = CodeOf(error);
    if (code == ExitCode::kTempFail) {
      // Released only by its holder; and only the holder may say the job waits for resume.
      if (!state_.ReleaseChunk(job_id_, lease, error.what())) return lost();
      Interrupted(Step::kTranscode);
      throw;
    }
    const bool permanent = code == ExitCode::kDataError || lease.token >= kMaxChunkAttempts;
    if (!state_.FailChunk(job_id_, lease, error.what(), permanent)) return lost();
    // Fenced by the FailChunk just made: the chunk is now kFailed, which nobody claims, so no
    // live worker can be publishing it; failing the job cannot undo another's work.
    if (permanent) FailJob(error, Step::kTranscode);
    throw;  // the chunk is pending again: another attempt may succeed
  }
  FinishTranscodeIfComplete();
  return lease.index;
}

void JobRunner::FailIfChunkFailedForGood(std::optional<int> index) {
  for (const ChunkRecord& chunk : state_.ListChunks(job_id_)) {
    if (chunk.state != ChunkState::kFailed || (index && chunk.plan.index != *index)) continue;
    Fail(ExitCode::kDataError, "job '{}' chunk {} failed for good after {} attempts: {}", job_id_,
         chunk.plan.index, chunk.attempts, chunk.error);
  }
}

void JobRunner::FinishTranscodeIfComplete() {
  auto chunks = state_.ListChunks(job_id_);
  bool all_done = std::all_of(chunks.begin(), chunks.end(),
                              [](const ChunkRecord& c) { return c.state == ChunkState::kDone; });
  if (all_done) state_.SetStepState(job_id_, Step::kTranscode, StepState::kDone, lock_owner_);
}

void JobRunner::TranscodeAllChunks() {
  // Each worker has its own database connection; claims keep them off each other's chunks.
  std::exception_ptr first_error;
  std::mutex error_mutex;
  auto work = [&]() {
    try {
      auto store = OpenSqliteStateStore(options_.state_path);
      JobRunner worker(*store, job_id_, options_);
      worker.lock_owner_ = lock_owner_;  // its job-level writes are this process's, fenced so
      std::mt19937 random(std::random_device{}());
      WorkerRetry retry(
          kWorkerRetry,
          [&](const Error& error, std::chrono::milliseconds delay) {
            log::Info("job '{}': {}; retrying in {:.1f} s", job_id_, error.what(),
                      delay.count() / 1000.0);
            std::this_thread::sleep_for(delay);
            ThrowIfStopRequested(fmt::format("job '{}': transcoding", job_id_));
          },
          [&] { return std::uniform_real_distribution<double>(0, 1)(random); });
      retry.Run(
          [&] {
            {
              std::lock_guard lock(error_mutex);
              if (first_error) return false;
            }
            return worker.TranscodeChunk(std::nullopt).has_value();
          },
          // A transient failure left the chunk pending: take it (or another) again. One
          // that stops the worker or failed the job is not retried.
          [&](const Error& error) {
            return error.code() == ExitCode::kTempFail ||
                   store->GetJob(job_id_).state == JobState::kFailed;
          });
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!first_error) first_error = std::current_exception();
    }
  };
  // The audio is encoded beside the chunks, by a thread of its own: done at the start of
  // concat instead, it would hold everything up while one core works on it.
  std::exception_ptr audio_error;
  auto encode_audio = [&]() {
    try {
      auto store = OpenSqliteStateStore(options_.state_path);
      JobContext context(*store, job_id_);
      if (AudioPending(context)) EncodeAudio(context);
    } catch (...) {
      audio_error = std::current_exception();
    }
  };
  std::vector<std::thread> workers;
  workers.emplace_back(encode_audio);
  for (int i = 0; i < std::max(1, options_.workers); ++i) workers.emplace_back(work);
  for (auto& worker : workers) worker.join();
  // Whatever a worker threw, the job must not stay running with nobody running it: a chunk's
  // own failures have settled it already (failed, or pending after an interruption), but not
  // an error before a claim nor one that is not an Error at all (a JSON library's, bad_alloc).
  for (const std::exception_ptr& error_ptr : {first_error, audio_error}) {
    if (!error_ptr) continue;
    try {
      std::rethrow_exception(error_ptr);
    } catch (const std::exception& error) {
      const JobState state = state_.GetJob(job_id_).state;
      if (CodeOf(error) == ExitCode::kTempFail) {
        if (state == JobState::kRunning) Interrupted(Step::kTranscode);
        throw;
      }
      if (state != JobState::kFailed) FailJob(error, Step::kTranscode);
      throw;
    }
  }
  FinishTranscodeIfComplete();
  if (state_.GetJob(job_id_).steps[Step::kTranscode] != StepState::kDone) {
    Fail(ExitCode::kTempFail, "job '{}': some chunks are being transcoded by another process",
         job_id_);
  }
}

void JobRunner::GatherChunkResults(const char* before) {
  RequireDone(Step::kSplit, before);
  if (state_.GetJob(job_id_).steps[Step::kTranscode] == StepState::kDone) return;
  JobContext context(state_, job_id_);
  AdoptMirroredChunkResults(state_, job_id_, context.tmp());
  std::vector<std::string> missing;
  bool all_in_progress = true;  // then waiting is enough; otherwise someone must transcode
  for (const ChunkRecord& chunk : state_.ListChunks(job_id_)) {
    const int index = chunk.plan.index;
    if (chunk.state != ChunkState::kDone) {
      const bool running = chunk.state == ChunkState::kRunning;
      all_in_progress = all_in_progress && running;
      missing.push_back(
          running ? fmt::format("chunk {} (being transcoded by {})", index, chunk.lease_owner)
                  : fmt::format("chunk {} (no result at {})", index,
                                context.tmp().Describe(tmp_keys::ChunkResult(index))));
    } else if (auto bad = CheckChunkOutputs(context, chunk)) {
      all_in_progress = false;
      state_.ResetChunk(job_id_, index);  // pending again, for transcode-chunk to redo
      missing.push_back(fmt::format("chunk {} ({} is {})", index,
                                    context.tmp().Describe(bad->first), bad->second));
    }
  }
  if (!missing.empty()) {
    // A job of hundreds of chunks, none done, still gets one readable line.
    constexpr size_t kNamed = 10;
    const size_t unnamed = missing.size() > kNamed ? missing.size() - kNamed : 0;
    missing.resize(missing.size() - unnamed);
    Fail(all_in_progress ? ExitCode::kTempFail : ExitCode::kUsage,
         "job '{}': {} needs every chunk transcoded; missing {}{}", job_id_, before,
         fmt::join(missing, ", "), unnamed ? fmt::format(" and {} more", unnamed) : "");
  }
  FinishTranscodeIfComplete();
}

void JobRunner::TakeOverIfAbandoned(Step step) {
  // This process holds the job lock: whoever left the step running is gone (killed, its host
  // lost). Transcode's chunks have leases of their own, which ReleaseChunksOfDeadWorkers and
  // expiry free.
  if (!RunsUnderJobLock(step) || state_.GetJob(job_id_).steps[step] != StepState::kRunning) {
    return;
  }
  const std::string message =
      fmt::format("{} was left running by a process that is gone", ToString(step));
  log::Info("job '{}': {}; taking it over", job_id_, message);
  state_.AddEvent(job_id_, "step-taken-over", std::nullopt, message);
  switch (step) {
    case Step::kSplit:
      return SplitLocked();
    case Step::kConcat:
      return ConcatLocked();
    case Step::kSegment:
      return SegmentLocked();
    case Step::kTranscode:
      return;
  }
}

void JobRunner::Concat() {
  JobLock lock(*this, options_.wait_for_lock);
  TakeOverIfAbandoned(Step::kSplit);
  GatherChunkResults("concat");
  ConcatLocked();
}

void JobRunner::ConcatLocked() {
  RequireDone(Step::kTranscode, "concat");
  RunStep(Step::kConcat, [](JobContext& context) { RunConcat(context); });
}

void JobRunner::Segment() {
  JobLock lock(*this, options_.wait_for_lock);
  TakeOverIfAbandoned(Step::kSplit);
  GatherChunkResults("segment");
  TakeOverIfAbandoned(Step::kConcat);
  SegmentLocked();
}

void JobRunner::SegmentLocked() {
  RequireDone(Step::kConcat, "segment");
  RunStep(Step::kSegment, [](JobContext& context) { RunSegment(context); });
  JobRecord job = state_.GetJob(job_id_);
  if (job.state != JobState::kDone) {
    // Before tmp goes: a holder that lost the lock must not remove what its successor uses.
    RequireLock(state_.SetJobState(job_id_, JobState::kDone, "", ExitCode::kOk, lock_owner_));
    state_.AddEvent(job_id_, "job-done", std::nullopt, job.output);
    JobContext context(state_, job_id_);
    context.output().RemoveLeftovers();  // a killed earlier attempt's half-written files
    if (!job.options.keep_tmp) {
      context.tmp().RemoveLeftovers();
      context.tmp().RemovePrefix("");
    }
  }
}

// Walks back from the last step done: whatever a remaining step needs must still be there
// and match its record, or the step that made it runs again.
void JobRunner::VerifyArtefacts() {
  JobRecord job = state_.GetJob(job_id_);
  // Before split nothing exists to check; after segment tmp may be gone and nothing is needed.
  if (job.steps[Step::kSplit] != StepState::kDone || job.steps[Step::kSegment] == StepState::kDone) {
    return;
  }
  JobContext context(state_, job_id_);
  Storage& tmp = context.tmp();
  auto redo = [&](Step step, std::optional<int> chunk, const std::string& key, const std::string& why) {
    log::Info("job '{}': {} is {}; redoing {}", job_id_, tmp.Describe(key), why,
              chunk ? fmt::format("chunk {}", *chunk) : ToString(step));
    state_.AddEvent(job_id_, "artefact-redo", chunk, fmt::format("{}: {}", key, why));
    RequireLock(state_.SetStepState(job_id_, step, StepState::kPending, lock_owner_));
  };
  const nlohmann::json& result = job.result;
  bool need_chunk_outputs = true;
  if (job.steps[Step::kConcat] == StepState::kDone) {
    need_chunk_outputs = false;
    for (const Rendition& rendition : context.renditions()) {
      const std::string key = tmp_keys::RenditionFull(rendition.name);
      if (auto why = CheckArtefact(tmp, key, result["concat"][rendition.name])) {
        redo(Step::kConcat, std::nullopt, key, *why);
        need_chunk_outputs = true;
      }
    }
  }
  bool need_split = false;
  if (context.source().audio) {
    bool audio_encoded = result.contains("audio");
    if (audio_encoded) {
      if (auto why = CheckArtefact(tmp, tmp_keys::Audio(), result["audio"])) {
        log::Info("job '{}': {} is {}; encoding the audio again", job_id_,
                  tmp.Describe(tmp_keys::Audio()), *why);
        state_.AddEvent(job_id_, "artefact-redo", std::nullopt,
                        fmt::format("{}: {}", tmp_keys::Audio(), *why));
        nlohmann::json without_audio = result;
        without_audio.erase("audio");
        state_.SetJobResult(job_id_, without_audio);
        audio_encoded = false;
        // Concat is where audio left over from the chunk phase gets encoded.
        if (job.steps[Step::kConcat] == StepState::kDone) {
          redo(Step::kConcat, std::nullopt, tmp_keys::Audio(), *why);
          need_chunk_outputs = true;
        }
      }
    }
    // The copy split made is what a missing or damaged audio.nut is encoded again from.
    if (!audio_encoded) {
      const std::string key = tmp_keys::AudioSource();
      if (auto why = CheckArtefact(tmp, key, result["split"]["audio_source"])) {
        redo(Step::kSplit, std::nullopt, key, *why);
        need_split = true;
      }
    }
  }
  for (const ChunkRecord& chunk : state_.ListChunks(job_id_)) {
    const int index = chunk.plan.index;
    bool done = chunk.state == ChunkState::kDone;
    if (done && need_chunk_outputs) {
      if (auto bad = CheckChunkOutputs(context, chunk)) {
        redo(Step::kTranscode, index, bad->first, bad->second);
        state_.ResetChunk(job_id_, index);
        done = false;
      }
    }
    if (!done && !need_split) {
      const std::string key = tmp_keys::Chunk(index);
      if (auto why = CheckArtefact(tmp, key, result["split"]["chunks"][index])) {
        redo(Step::kSplit, std::nullopt, key, *why);
        need_split = true;
      }
    }
  }
}

void JobRunner::RunToEnd() {
  JobLock lock(*this, options_.wait_for_lock);
  RunToEndLocked();
}

JobRunner::Claim JobRunner::RunToEndIfFree(const Wanted& wanted) {
  JobLock lock(*this, IfHeld::kSkip);
  if (!lock.held()) return Claim::kHeld;
  if (!wanted(state_.GetJob(job_id_))) return Claim::kLeft;
  RunToEndLocked();
  return Claim::kTaken;
}

JobRunner::Claim JobRunner::RemoveIfFree(const Wanted& wanted, int64_t& bytes_freed) {
  JobLock lock(*this, IfHeld::kSkip);
  if (!lock.held()) return Claim::kHeld;
  JobRecord job = state_.GetJob(job_id_);
  if (!wanted(job)) return Claim::kLeft;
  std::unique_ptr<Storage> tmp = OpenStorage(job.options.tmp);
  for (const ObjectInfo& object : tmp->List("")) bytes_freed += object.size;
  tmp->RemoveLeftovers();
  tmp->RemovePrefix("");
  lock.StopRenewing();
  state_.DeleteJob(job_id_, lock.owner());
  return Claim::kTaken;
}

void JobRunner::RunToEndLocked() {
  ReleaseChunksOfDeadWorkers();
  try {
    VerifyArtefacts();
  } catch (const std::exception& error) {
    // The storage the checks need is gone or unreadable: the job cannot go on as it is.
    if (CodeOf(error) == ExitCode::kTempFail) throw;
    FailJob(error, std::nullopt);
  }
  SplitLocked();
  TranscodeAllChunks();
  ConcatLocked();
  SegmentLocked();
}

}  // namespace vodctl
