// transcode-chunk, concat, segment: the steps that take only a job ID.
#include "cli/cli.h"
#include "vodctl/log.h"

#include <iostream>

namespace vodctl::cli {
namespace {

void AddJobStepCommand(CLI::App& app, GlobalOptions& global, Action& action, const char* name,
                       const char* help, void (JobRunner::*step)()) {
  auto* command = app.add_subcommand(name, help);
  auto job_id = std::make_shared<std::string>();
  auto tmp = std::make_shared<std::string>();
  command->add_option("--job", *job_id, "Job ID")->required();
  AddTakeOverFlag(*command, *tmp);
  AddWaitFlag(*command, global);
  command->callback([&global, &action, job_id, tmp, step]() {
    action = [&global, job_id, tmp, step]() {
      auto state = OpenState(global);
      TakeOverIfUnknown(*state, global, *job_id, *tmp);
      JobRunner runner(*state, *job_id, MakeRunnerOptions(global));
      (runner.*step)();
      return 0;
    };
  });
}

}  // namespace

void AddTranscodeChunkCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* command = app.add_subcommand("transcode-chunk", "Encode every rendition of one chunk");
  auto job_id = std::make_shared<std::string>();
  auto index = std::make_shared<int>(-1);
  auto next = std::make_shared<bool>(false);
  auto tmp = std::make_shared<std::string>();
  command->add_option("--job", *job_id, "Job ID")->required();
  AddTakeOverFlag(*command, *tmp);
  auto* chunk_option = command->add_option("--chunk", *index, "Chunk index")->check(CLI::NonNegativeNumber);
  auto* next_flag = command->add_flag("--next", *next, "Claim the next chunk nobody holds");
  chunk_option->excludes(next_flag);
  command->callback([&global, &action, job_id, index, next, tmp, chunk_option]() {
    if (chunk_option->count() == 0 && !*next) throw CLI::ValidationError("give --chunk N or --next");
    action = [&global, job_id, index, next, tmp]() {
      auto state = OpenState(global);
      TakeOverIfUnknown(*state, global, *job_id, *tmp);
      JobRunner runner(*state, *job_id, MakeRunnerOptions(global));
      std::optional<int> chunk = *next ? std::nullopt : std::optional<int>(*index);
      std::optional<int> done = runner.TranscodeChunk(chunk);
      if (done) {
        // A script loops `while [ -n "$(vodctl transcode-chunk --next ...)" ]` until empty.
        std::cout << *done << '\n';
      } else {
        log::Info("job '{}': {}", *job_id,
                  chunk ? fmt::format("chunk {} is already done or held by another worker", *chunk)
                        : std::string("no chunk left to claim"));
      }
      return 0;
    };
  });
}

void AddConcatCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  AddJobStepCommand(app, global, action, "concat", "Join each rendition's chunks",
                    &JobRunner::Concat);
}

void AddSegmentCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  AddJobStepCommand(app, global, action, "segment", "Write the HLS presentation to the output",
                    &JobRunner::Segment);
}

}  // namespace vodctl::cli
