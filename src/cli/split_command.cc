#include "cli/cli.h"

namespace vodctl::cli {

void AddSplitCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* command = app.add_subcommand("split", "Create the job, probe the source, cut it into chunks");
  auto source = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto flags = std::make_shared<JobFlags>();
  command->add_option("SOURCE", *source, "Source video: a path or file:// URL")->required();
  command->add_option("--output", *output, "Output folder for the HLS presentation")->required();
  AddJobFlags(*command, *flags);
  AddWaitFlag(*command, global);
  command->callback([&global, &action, source, output, flags]() {
    action = [&global, source, output, flags]() {
      auto state = OpenState(global);
      std::string id = CreateJob(*state, global, *flags, *source, *output);
      JobRunner(*state, id, MakeRunnerOptions(global)).Split();
      return 0;
    };
  });
}

}  // namespace vodctl::cli
