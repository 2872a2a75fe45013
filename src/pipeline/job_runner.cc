#include "pipeline/job_runner.h"

#include "pipeline/job_context.h"
#include "pipeline/steps.h"
#include "vodctl/error.h"
#include "vodctl/log.h"

#include <unistd.h>

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

namespace vodctl {
namespace {

// Long enough for any single chunk on a slow host; heartbeats come with the lease work.
constexpr int64_t kLeaseMs = 30 * 60 * 1000;

ExitCode CodeOf(const std::exception& error) {
  if (auto* e = dynamic_cast<const Error*>(&error)) return e->code();
  return ExitCode::kSoftware;
}

}  // namespace

std::string WorkerName() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return fmt::format("{}:{}", host, getpid());
}

JobRunner::JobRunner(StateStore& state, std::string job_id, RunnerOptions options)
    : state_(state), job_id_(std::move(job_id)), options_(std::move(options)) {}

void JobRunner::FailJob(const std::exception& error, Step step) {
  // An interruption is not the job's fault: it stays resumable as it was.
  if (CodeOf(error) != ExitCode::kTempFail) {
    state_.SetStepState(job_id_, step, StepState::kFailed);
    state_.SetJobState(job_id_, JobState::kFailed, error.what());
    state_.AddEvent(job_id_, "job-failed", std::nullopt, error.what());
  }
  throw;
}

template <typename Body>
void JobRunner::RunStep(Step step, Body body) {
  JobRecord job = state_.GetJob(job_id_);
  if (job.steps[step] == StepState::kDone) {
    log::Debug("job '{}': {} already done", job_id_, ToString(step));
    return;
  }
  state_.SetJobState(job_id_, JobState::kRunning);
  state_.SetStepState(job_id_, step, StepState::kRunning);
  try {
    JobContext context(state_, job_id_);
    body(context);
  } catch (const std::exception& error) {
    FailJob(error, step);
  }
  state_.SetStepState(job_id_, step, StepState::kDone);
  state_.AddEvent(job_id_, "step-done", std::nullopt, ToString(step));
}

void JobRunner::RequireDone(Step step, const char* before) {
  if (state_.GetJob(job_id_).steps[step] != StepState::kDone) {
    Fail(ExitCode::kUsage, "job '{}': {} is not done yet; it must finish before {}", job_id_,
         ToString(step), before);
  }
}

void JobRunner::Split() {
  RunStep(Step::kSplit, [](JobContext& context) { RunSplit(context); });
}

bool JobRunner::TranscodeChunk(std::optional<int> index) {
  RequireDone(Step::kSplit, "transcode-chunk");
  if (index) {
    auto chunks = state_.ListChunks(job_id_);
    if (*index < 0 || *index >= static_cast<int>(chunks.size())) {
      Fail(ExitCode::kUsage, "job '{}' has no chunk {} (it has {})", job_id_, *index, chunks.size());
    }
  }
  std::optional<ChunkRecord> chunk = state_.ClaimChunk(job_id_, index, WorkerName(), kLeaseMs);
  if (!chunk) return false;
  state_.SetJobState(job_id_, JobState::kRunning);
  state_.SetStepState(job_id_, Step::kTranscode, StepState::kRunning);
  try {
    JobContext context(state_, job_id_);
    nlohmann::json result = vodctl::TranscodeChunk(context, *chunk);
    state_.CompleteChunk(job_id_, chunk->plan.index, result);
  } catch (const std::exception& error) {
    bool permanent = CodeOf(error) == ExitCode::kDataError;
    if (CodeOf(error) == ExitCode::kTempFail) {
      state_.ReleaseChunk(job_id_, chunk->plan.index, WorkerName());
    } else {
      state_.FailChunk(job_id_, chunk->plan.index, error.what(), permanent);
    }
    FailJob(error, Step::kTranscode);
  }
  FinishTranscodeIfComplete();
  return true;
}

void JobRunner::FinishTranscodeIfComplete() {
  auto chunks = state_.ListChunks(job_id_);
  bool all_done = std::all_of(chunks.begin(), chunks.end(),
                              [](const ChunkRecord& c) { return c.state == ChunkState::kDone; });
  if (all_done) state_.SetStepState(job_id_, Step::kTranscode, StepState::kDone);
}

void JobRunner::TranscodeAllChunks() {
  if (options_.workers <= 1) {
    while (TranscodeChunk(std::nullopt)) {
    }
  } else {
    // Each worker has its own database connection; claims keep them off each other's chunks.
    std::vector<std::thread> workers;
    std::exception_ptr first_error;
    std::mutex error_mutex;
    for (int i = 0; i < options_.workers; ++i) {
      workers.emplace_back([&]() {
        try {
          auto store = OpenSqliteStateStore(options_.state_path);
          JobRunner worker(*store, job_id_, RunnerOptions{options_.state_path, 1});
          while (worker.TranscodeChunk(std::nullopt)) {
            std::lock_guard lock(error_mutex);
            if (first_error) break;
          }
        } catch (...) {
          std::lock_guard lock(error_mutex);
          if (!first_error) first_error = std::current_exception();
        }
      });
    }
    for (auto& worker : workers) worker.join();
    if (first_error) std::rethrow_exception(first_error);
  }
  FinishTranscodeIfComplete();
  if (state_.GetJob(job_id_).steps[Step::kTranscode] != StepState::kDone) {
    Fail(ExitCode::kTempFail, "job '{}': some chunks are being transcoded by another process",
         job_id_);
  }
}

void JobRunner::Concat() {
  RequireDone(Step::kTranscode, "concat");
  RunStep(Step::kConcat, [](JobContext& context) { RunConcat(context); });
}

void JobRunner::Segment() {
  RequireDone(Step::kConcat, "segment");
  RunStep(Step::kSegment, [](JobContext& context) { RunSegment(context); });
  JobRecord job = state_.GetJob(job_id_);
  if (job.state != JobState::kDone) {
    state_.SetJobState(job_id_, JobState::kDone);
    state_.AddEvent(job_id_, "job-done", std::nullopt, job.output);
    if (!job.options.keep_tmp) {
      JobContext context(state_, job_id_);
      context.tmp().RemovePrefix("");
    }
  }
}

void JobRunner::RunToEnd() {
  Split();
  TranscodeAllChunks();
  Concat();
  Segment();
}

}  // namespace vodctl
