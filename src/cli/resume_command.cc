#include "cli/cli.h"
#include "pipeline/job_mirror.h"
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
  command->add_option("--tmp", *tmp,
                      "The job's --tmp: a job this state database does not know is taken over "
                      "from the plan and results kept there (another host's job)")
      ->excludes(all_flag);
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
      if (!tmp->empty() && !state->FindJob(*job_id)) {
        ValidateJobId(*job_id);
        ImportJobFromTmp(*state, *job_id, JobTmpUrl(global, *tmp, *job_id));
      }
      RetryFailedChunks(*state, *job_id);
      log::Info("job '{}': resuming", *job_id);
      JobRunner(*state, *job_id, MakeRunnerOptions(global)).RunToEnd();
      return 0;
    };
  });
}

}  // namespace vodctl::cli
