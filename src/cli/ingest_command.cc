#include "cli/cli.h"
#include "pipeline/ingest.h"
#include "vodctl/log.h"

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
      BatchReport report("ingest");
      std::vector<std::string> ids;
      for (const IngestSource& source : ListIngestSources(
               AbsoluteUrl(flags->source_prefix), AbsoluteUrl(flags->output_prefix),
               flags->filter)) {
        std::optional<JobRecord> job = state->FindJob(source.job_id);
        if (!job && source.published) {
          log::Debug("job '{}': {} is published already", source.job_id, source.output);
          continue;
        }
        if (flags->dry_run) {
          std::optional<std::string> skip =
              job ? SkipReason(*job, flags->batch.options) : std::nullopt;
          std::cout << (!job ? "create " : skip ? "skip " : "run ") << source.job_id << ' '
                    << source.url << " -> " << source.output << (skip ? ": " + *skip : "") << '\n';
          continue;
        }
        if (!job) {
          flags->job.job_id = source.job_id;
          CreateJob(*state, global, flags->job, source.url, source.output);
          report.Created(source.job_id);
        }
        ids.push_back(source.job_id);
      }
      if (flags->dry_run) return 0;
      return RunBatch(*state, global, flags->batch, ids, report);
    };
  });
}

}  // namespace vodctl::cli
