#include "cli/cli.h"
#include "pipeline/prune.h"

#include <iostream>

namespace vodctl::cli {

void AddPruneCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* command = app.add_subcommand(
      "prune", "Remove the tmp data and the records of finished jobs, and say how much was freed");
  auto older_than = std::make_shared<std::string>("7d");
  auto failed = std::make_shared<bool>(false);
  command->add_option("--older-than", *older_than,
                      "Only jobs unchanged for this long: 45s, 30m, 12h, 7d, 2w or 0")
      ->capture_default_str();
  command->add_flag("--failed", *failed, "Failed jobs too (their sources will not be retried)");
  command->callback([&global, &action, older_than, failed]() {
    action = [&global, older_than, failed]() {
      PruneOptions options{.older_than_ms = ParseAge(*older_than), .failed = *failed};
      auto state = OpenState(global);
      PruneResult result = Prune(*state, MakeRunnerOptions(global), options);
      std::cout << "pruned " << result.jobs << " jobs, freed " << result.bytes << " bytes\n";
      return 0;
    };
  });
}

}  // namespace vodctl::cli
