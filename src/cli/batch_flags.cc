#include "cli/cli.h"
#include "vodctl/error.h"
#include "vodctl/log.h"

namespace vodctl::cli {

void AddBatchFlags(CLI::App& command, BatchFlags& flags) {
  command.add_option("--report", flags.report_path,
                     "Write a JSON summary of what was done to this file (for CI)");
  command.add_option("--max-jobs", flags.options.max_jobs, "Run at most N jobs (0: no limit)")
      ->check(CLI::NonNegativeNumber);
}

int RunBatch(StateStore& state, const GlobalOptions& global, const BatchFlags& flags,
             const std::vector<std::string>& ids, BatchReport& report) {
  BatchRunner(state, MakeRunnerOptions(global), flags.options).Run(ids, report);
  if (!flags.report_path.empty()) report.WriteFile(flags.report_path);
  if (report.Code() != ExitCode::kOk) throw Error(report.Code(), report.Summary());
  log::Info("{}", report.Summary());
  return 0;
}

}  // namespace vodctl::cli
