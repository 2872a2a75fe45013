#include "cli/cli.h"
#include "vodctl/error.h"
#include "vodctl/log.h"

namespace vodctl::cli {

void AddResumeCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* command = app.add_subcommand("resume", "Finish a job from its last checkpoint");
  auto job_id = std::make_shared<std::string>();
  auto all = std::make_shared<bool>(false);
  auto* job_option = command->add_option("--job", *job_id, "Job ID");
  auto* all_flag = command->add_flag(
      "--all", *all, "Every unfinished job, oldest first, failed ones too; jobs another process "
                     "holds are left to it");
  auto tmp = std::make_shared<std::string>();
  AddTakeOverFlag(*command, *tmp);
  command->get_option("--tmp")->excludes(all_flag);
  job_option->excludes(all_flag);
  auto batch = std::make_shared<BatchFlags>();
  batch->options.retry_failed = true;
  AddBatchFlags(*command, *batch);
  AddWorkersFlag(*command, global);
  AddWaitFlag(*command, global);
  command->callback([&global, &action, job_id, all, job_option, tmp, batch]() {
    if (job_option->count() == 0 && !*all) throw CLI::ValidationError("give --job ID or --all");
    action = [&global, job_id, all, tmp, batch]() {
      auto state = OpenState(global);
      if (*all) {
        std::vector<std::string> ids;
        for (const JobRecord& job : state->ListJobs()) {
          if (job.state != JobState::kDone) ids.push_back(job.id);
        }
        BatchReport report("resume --all");
        return RunBatch(*state, global, *batch, ids, report);
      }
      TakeOverIfUnknown(*state, global, *job_id, *tmp);
      RetryFailedChunks(*state, *job_id);
      log::Info("job '{}': resuming", *job_id);
      JobRunner(*state, *job_id, MakeRunnerOptions(global)).RunToEnd();
      return 0;
    };
  });
}

}  // namespace vodctl::cli
