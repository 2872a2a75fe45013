#include "cli/cli.h"
#include "pipeline/ingest.h"

#include <iostream>

namespace vodctl::cli {

void AddIngestCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* command = app.add_subcommand(
      "ingest", "Create a job for every new source under a prefix, then run the unfinished ones");
  struct Flags {
    std::string source_prefix;
    std::string output_prefix;
    JobFlags job;
    SourceFilter filter;
    BatchFlags batch;
    bool dry_run = false;
  };
  auto flags = std::make_shared<Flags>();
  command->add_option("SOURCE_PREFIX", flags->source_prefix, "Folder or s3:// prefix of sources")
      ->required();
  command->add_option("OUTPUT_PREFIX", flags->output_prefix,
                      "Folder or s3:// prefix; each job's output goes to OUTPUT_PREFIX/JOB-ID/")
      ->required();
  command->add_option("--include", flags->filter.include,
                      "Only keys matching this glob (repeatable; '*' matches '/' too)");
  command->add_option("--exclude", flags->filter.exclude,
                      "Not keys matching this glob (repeatable)");
  command->add_flag("--dry-run", flags->dry_run, "Print what would be done, do nothing");
  AddJobFlags(*command, flags->job);
  command->remove_option(command->get_option("--job"));  // one per source, from its key
  AddBatchFlags(*command, flags->batch);
  AddWorkersFlag(*command, global);
  command->callback([&global, &action, flags]() {
    action = [&global, flags]() {
      auto state = OpenState(global);
      std::vector<IngestSource> sources = ListIngestSources(
          AbsoluteUrl(flags->source_prefix), AbsoluteUrl(flags->output_prefix), flags->filter);
      if (flags->dry_run) {
        PrintIngestPlan(*state, sources, flags->batch.options, std::cout);
        return 0;
      }
      BatchReport report("ingest");
      auto create = [&](const IngestSource& source) {
        flags->job.job_id = source.job_id;
        CreateJob(*state, global, flags->job, source.url, source.output);
      };
      std::vector<std::string> ids = CreateIngestJobs(*state, sources, create, report);
      return RunBatch(*state, global, flags->batch, ids, report);
    };
  });
}

}  // namespace vodctl::cli
