#include "cli/cli.h"
#include "pipeline/job_mirror.h"

#include <iostream>

namespace vodctl::cli {

void AddSplitCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* command = app.add_subcommand("split", "Create the job, probe the source, cut it into chunks");
  auto source = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto flags = std::make_shared<JobFlags>();
  command->add_option("SOURCE", *source, "Source video: a path or file:// URL")->required();
  command->add_option("--output", *output, "Output folder for the HLS presentation")->required();
  auto json = std::make_shared<bool>(false);
  AddJobFlags(*command, *flags);
  AddWaitFlag(*command, global);
  command->add_flag("--json", *json,
                    "Print the plan (job, chunk count, tmp, output) as JSON, to size a batch "
                    "scheduler's array of transcode-chunk tasks");
  command->callback([&global, &action, source, output, flags, json]() {
    action = [&global, source, output, flags, json]() {
      auto state = OpenState(global);
      std::string id = CreateJob(*state, global, *flags, *source, *output);
      JobRunner(*state, id, MakeRunnerOptions(global)).Split();
      if (*json) std::cout << PlanSummary(*state, id).dump() << '\n';
      return 0;
    };
  });
}

}  // namespace vodctl::cli
