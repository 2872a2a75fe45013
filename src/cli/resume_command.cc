#include "cli/cli.h"
#include "util/interrupt.h"
#include "vodctl/error.h"
#include "vodctl/log.h"

#include <optional>

namespace vodctl::cli {

void AddResumeCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* command = app.add_subcommand("resume", "Finish a job from its last checkpoint");
  auto job_id = std::make_shared<std::string>();
  auto all = std::make_shared<bool>(false);
  auto* job_option = command->add_option("--job", *job_id, "Job ID");
  auto* all_flag = command->add_flag("--all", *all, "Every unfinished job, oldest first");
  auto tmp = std::make_shared<std::string>();
  AddTakeOverFlag(*command, *tmp);
  command->get_option("--tmp")->excludes(all_flag);
  job_option->excludes(all_flag);
  AddWorkersFlag(*command, global);
  AddWaitFlag(*command, global);
  command->callback([&global, &action, job_id, all, job_option, tmp]() {
    if (job_option->count() == 0 && !*all) throw CLI::ValidationError("give --job ID or --all");
    action = [&global, job_id, all, tmp]() {
      auto state = OpenState(global);
      if (!*all) TakeOverIfUnknown(*state, global, *job_id, *tmp);
      std::vector<std::string> ids;
      if (*all) {
        for (const JobRecord& job : state->ListJobs()) {
          if (job.state != JobState::kDone) ids.push_back(job.id);
        }
      } else {
        ids.push_back(*job_id);
      }
      // One job that fails (a bad upload) must not keep cron from finishing the others.
      std::optional<Error> first_failure;
      int failures = 0;
      for (const std::string& id : ids) {
        try {
          // A failed job is tried again: its failed chunks become pending.
          for (const ChunkRecord& chunk : state->ListChunks(id)) {
            if (chunk.state == ChunkState::kFailed) state->ResetChunk(id, chunk.plan.index);
          }
          log::Info("job '{}': resuming", id);
          JobRunner(*state, id, MakeRunnerOptions(global)).RunToEnd();
        } catch (const Error& error) {
          if (!*all || StopRequested()) throw;
          log::Info("job '{}': {}", id, error.what());
          if (!first_failure) first_failure = error;
          ++failures;
        }
      }
      if (first_failure) {
        throw Error(first_failure->code(),
                    fmt::format("{} of {} jobs did not finish; first: {}", failures, ids.size(),
                                first_failure->what()));
      }
      return 0;
    };
  });
}

}  // namespace vodctl::cli
