// --tmp on the commands that take only a job ID: how a host with an empty state database
// joins a job that another host split (the plan and chunk results are mirrored in tmp).
#include "cli/cli.h"
#include "pipeline/job_mirror.h"

namespace vodctl::cli {

void AddTakeOverFlag(CLI::App& command, std::string& tmp) {
  command.add_option("--tmp", tmp,
                     "The job's --tmp: a job this state database does not know is taken over "
                     "from the plan and results kept there (another host's job)");
}

void TakeOverIfUnknown(StateStore& state, const GlobalOptions& global, const std::string& id,
                       const std::string& tmp) {
  if (tmp.empty() || state.FindJob(id)) return;
  ValidateJobId(id);
  ImportJobFromTmp(state, id, JobTmpUrl(global, tmp, id));
}

}  // namespace vodctl::cli
