// Shared wiring for the subcommands: global options, job options, opening the state.
#pragma once

#include "pipeline/batch.h"
#include "pipeline/job_runner.h"
#include "vodctl/job_options.h"
#include "vodctl/outbox.h"
#include "vodctl/state_store.h"

#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vodctl::cli {

// Chunks to transcode side by side when --jobs is not given: one per core, as long as each
// has about 1 GiB of free memory (a 1080p decode and four encoders).
int DefaultWorkers();

struct GlobalOptions {
  std::string state_path;  // --state, VODCTL_STATE, or the XDG state folder
  bool quiet = false;
  bool verbose = false;
  int workers = DefaultWorkers();  // --jobs
  bool wait_for_lock = false;      // --wait
};

// What one subcommand does once its flags are parsed; returns the exit code.
using Action = std::function<int()>;

// Opens the state and starts delivering its outbox in the background (once per process).
std::unique_ptr<StateStore> OpenState(const GlobalOptions& global);

// The outbox's delivery, for OpenState: started when VODCTL_NOTIFY_SECRET is set, and
// finished (what is due delivered, within a bound) before the process exits.
void StartNotifications(const std::string& state_path);
void FinishNotifications();
RunnerOptions MakeRunnerOptions(const GlobalOptions& global);

// --wait: wait for another process driving the job instead of exiting 75.
void AddWaitFlag(CLI::App& command, GlobalOptions& global);

// Flags that define a job (fixed when it is created).
struct JobFlags {
  std::string job_id;
  std::string tmp;
  std::string ladder;
  CLI::Option* ladder_option = nullptr;  // given at all? ("" is a bad ladder, not the default)
  JobOptions options;
  std::string format = "fmp4";
  bool no_thumbnails = false;
  std::string loudness = "-16";  // JobOptions::kDefaultLoudnessLufs, as the flag spells it
  std::string surround = "on";
  std::string allow_formats;
  CLI::Option* allow_formats_option = nullptr;  // given at all? ("" is an error, not the default)
  NotifyOptions notify;  // --notify and its settings: stored with the job, not in its options
};
void AddJobFlags(CLI::App& command, JobFlags& flags);
// --allow-formats and the --max-* limits a source must keep to (part of AddJobFlags).
void AddSourcePolicyFlags(CLI::App& command, JobFlags& flags);
// --jobs: chunks transcoded side by side (run and resume).
void AddWorkersFlag(CLI::App& command, GlobalOptions& global);
// The tmp URL of job `id` under a --tmp base (the default base when empty).
std::string JobTmpUrl(const GlobalOptions& global, const std::string& base, const std::string& id);

// A local path made absolute; URLs as they are.
std::string AbsoluteUrl(const std::string& url);

// --tmp on a step: TakeOverIfUnknown() imports a job this state database does not know from
// the plan and results its first host left under that tmp base.
void AddTakeOverFlag(CLI::App& command, std::string& tmp);
void TakeOverIfUnknown(StateStore& state, const GlobalOptions& global, const std::string& id,
                       const std::string& tmp);

// Validates the flags, creates the job or checks it matches; returns its ID.
std::string CreateJob(StateStore& state, const GlobalOptions& global, JobFlags& flags,
                      const std::string& source, const std::string& output);

// --s3-endpoint and friends: S3 settings by the environment variable each stands for, for
// SetS3SettingOverrides().
void AddStorageFlags(CLI::App& app, std::map<std::string, std::string>& s3_settings);

// Flags of the batch commands (ingest, resume --all).
struct BatchFlags {
  std::string report_path;  // --report
  BatchOptions options;
};
void AddBatchFlags(CLI::App& command, BatchFlags& flags);
// Runs the jobs, writes --report, and turns a batch that did not finish everything into the
// Error its exit code stands for. Returns 0 otherwise.
int RunBatch(StateStore& state, const GlobalOptions& global, const BatchFlags& flags,
             const std::vector<std::string>& ids, BatchReport& report);

void AddRunCommand(CLI::App& app, GlobalOptions& global, Action& action);
void AddSplitCommand(CLI::App& app, GlobalOptions& global, Action& action);
void AddTranscodeChunkCommand(CLI::App& app, GlobalOptions& global, Action& action);
void AddConcatCommand(CLI::App& app, GlobalOptions& global, Action& action);
void AddSegmentCommand(CLI::App& app, GlobalOptions& global, Action& action);
void AddResumeCommand(CLI::App& app, GlobalOptions& global, Action& action);
void AddStatusCommand(CLI::App& app, GlobalOptions& global, Action& action);
void AddVerifyCommand(CLI::App& app, GlobalOptions& global, Action& action);
void AddIngestCommand(CLI::App& app, GlobalOptions& global, Action& action);
void AddPruneCommand(CLI::App& app, GlobalOptions& global, Action& action);
void AddEventsCommand(CLI::App& app, GlobalOptions& global, Action& action);

}  // namespace vodctl::cli
