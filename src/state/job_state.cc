#include "vodctl/job_state.h"

#include "vodctl/error.h"

#include <fmt/ranges.h>

#include <cstddef>
#include <iterator>

namespace vodctl {
namespace {

// Indexed by enum value: JobState, StepState and ChunkState share the four names.
constexpr const char* kStateNames[] = {"pending", "running", "done", "failed"};
constexpr const char* kStepNames[] = {"split", "transcode", "concat", "segment"};
static_assert(std::size(kStepNames) == std::size(kAllSteps));

template <typename Enum, size_t N>
Enum FromName(const char* const (&names)[N], const std::string& s, const char* what) {
  for (size_t i = 0; i < N; ++i) {
    if (s == names[i]) return static_cast<Enum>(i);
  }
  Fail(ExitCode::kUsage, "unknown {} '{}' (expected one of {})", what, s, fmt::join(names, ", "));
}

}  // namespace

const char* ToString(JobState s) { return kStateNames[static_cast<int>(s)]; }
const char* ToString(StepState s) { return kStateNames[static_cast<int>(s)]; }
const char* ToString(ChunkState s) { return kStateNames[static_cast<int>(s)]; }
const char* ToString(DeliveryState s) {
  static constexpr const char* kNames[] = {"pending", "delivered", "failed"};
  return kNames[static_cast<int>(s)];
}
const char* ToString(Step s) { return kStepNames[static_cast<int>(s)]; }

bool RunsUnderJobLock(Step step) { return step != Step::kTranscode; }

JobState JobStateFromString(const std::string& s) {
  return FromName<JobState>(kStateNames, s, "job state");
}
StepState StepStateFromString(const std::string& s) {
  return FromName<StepState>(kStateNames, s, "step state");
}
ChunkState ChunkStateFromString(const std::string& s) {
  return FromName<ChunkState>(kStateNames, s, "chunk state");
}
Step StepFromString(const std::string& s) { return FromName<Step>(kStepNames, s, "step"); }

}  // namespace vodctl
