// Records the state store keeps about jobs and their chunks.
#pragma once

#include "vodctl/job_options.h"
#include "vodctl/outbox.h"
#include "vodctl/source_info.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace vodctl {

enum class JobState { kPending, kRunning, kDone, kFailed };
enum class StepState { kPending, kRunning, kDone, kFailed };
enum class ChunkState { kPending, kRunning, kDone, kFailed };

// The steps of a job, in the order they run.
enum class Step { kSplit, kTranscode, kConcat, kSegment };
inline constexpr Step kAllSteps[] = {Step::kSplit, Step::kTranscode, Step::kConcat, Step::kSegment};

// Split, concat and segment run only while their process holds the job lock; transcode runs
// in chunk workers, each under its own chunk's lease. So a holder of the job lock that finds
// one of the former running knows that whoever ran it is gone, and takes it over.
bool RunsUnderJobLock(Step step);

// Lower-case names used in the database, in `status` and in logs.
const char* ToString(JobState s);
const char* ToString(StepState s);
const char* ToString(ChunkState s);
const char* ToString(Step s);
JobState JobStateFromString(const std::string& s);
StepState StepStateFromString(const std::string& s);
ChunkState ChunkStateFromString(const std::string& s);
Step StepFromString(const std::string& s);

// Where a chunk lies on the source and output timelines. Fixed by `split`.
struct ChunkPlan {
  int index = 0;
  int64_t start_pts = 0;     // source video time_base; first frame of the chunk
  int64_t end_pts = 0;       // source video time_base; exclusive
  int64_t first_slot = 0;    // first output frame number (output pts in 1/frame_rate)
  int64_t end_slot = 0;      // exclusive
  int64_t input_frames = 0;  // source frames with pts in [start_pts, end_pts)
  bool operator==(const ChunkPlan&) const = default;
};

struct ChunkRecord {
  ChunkPlan plan;
  ChunkState state = ChunkState::kPending;
  int attempts = 0;          // how many times a worker claimed it
  std::string lease_owner;   // a ProcessIdentity (env.h) while running
  int64_t lease_expiry_ms = 0;  // unix time in ms; a running chunk past it is claimable
  std::string error;
  nlohmann::json result;     // per rendition: {"name":{"size":N,"sha256":"..","frames":N}}
};

struct JobRecord {
  std::string id;
  std::string source;
  std::string output;
  JobOptions options;
  JobState state = JobState::kPending;
  std::string error;
  std::optional<SourceInfo> source_info;
  nlohmann::json result;  // what segment produced: renditions, bandwidths, codecs
  std::map<Step, StepState> steps;
  // When each step last started and finished (unix ms; 0: not yet), for job.done's timings.
  std::map<Step, std::pair<int64_t, int64_t>> step_times;
  NotifyOptions notify;
  std::string lock_owner;       // ProcessIdentity of the process driving the job, if any
  int64_t lock_expiry_ms = 0;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct EventRecord {
  int64_t id = 0;
  int64_t time_ms = 0;
  std::string kind;         // e.g. "chunk-claimed", "chunk-done", "artefact-redo"
  std::optional<int> chunk;
  std::string message;
};

}  // namespace vodctl
