#include "cli/cli.h"

#include <iostream>

namespace vodctl::cli {

void AddRunCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* command = app.add_subcommand("run", "Create a job and drive it to done");
  auto source = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto flags = std::make_shared<JobFlags>();
  command->add_option("SOURCE", *source, "Source video: a path or file:// URL")->required();
  command->add_option("OUTPUT", *output, "Output folder for the HLS presentation")->required();
  AddJobFlags(*command, *flags);
  AddWorkersFlag(*command, global);
  AddWaitFlag(*command, global);
  command->callback([&global, &action, source, output, flags]() {
    action = [&global, source, output, flags]() {
      auto state = OpenState(global);
      std::string id = CreateJob(*state, global, *flags, *source, *output);
      JobRunner(*state, id, MakeRunnerOptions(global)).RunToEnd();
      std::string output = state->GetJob(id).output;
      if (!output.ends_with('/')) output += '/';
      std::cout << output << "master.m3u8\n";
      return 0;
    };
  });
}

}  // namespace vodctl::cli
