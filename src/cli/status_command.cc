#include "cli/cli.h"
#include "pipeline/status_report.h"

#include <iostream>

namespace vodctl::cli {

void AddStatusCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* command = app.add_subcommand("status", "Show jobs and their progress");
  auto job_id = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  command->add_option("--job", *job_id, "Only this job");
  command->add_flag("--json", *json, "One JSON object per job and line");
  command->callback([&global, &action, job_id, json]() {
    action = [&global, job_id, json]() {
      auto state = OpenState(global);
      std::vector<JobRecord> jobs;
      if (job_id->empty()) {
        jobs = state->ListJobs();
      } else {
        jobs.push_back(state->GetJob(*job_id));
      }
      if (*json) {
        for (const JobRecord& job : jobs) std::cout << JobStatusJson(*state, job).dump() << '\n';
      } else {
        std::cout << JobStatusTable(*state, jobs);
      }
      return 0;
    };
  });
}

}  // namespace vodctl::cli
