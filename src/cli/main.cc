// vodctl: turns a source video into adaptive-bitrate HLS, in resumable steps.
#include "cli/cli.h"
#include "storage/s3_storage.h"
#include "util/interrupt.h"
#include "vodctl/error.h"
#include "vodctl/log.h"

extern "C" {
#include <libavutil/log.h>
}

#include <malloc.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <utility>

int main(int argc, char** argv) {
  using namespace vodctl;
  // Every heap allocation starts filled with the same byte. x264's AVX-512 code reads bytes
  // of its frame buffers that it never wrote: the 854x480 and 960x540 renditions changed with
  // what a recycled buffer held (MALLOC_PERTURB_, --jobs, what ran before in the process),
  // and valgrind, which has no AVX-512, sees nothing. A fixed fill (0x5a; 0xfe and 0xff are
  // what change those encodes) keeps them byte-identical. Measured against a fixed mmap
  // threshold and against no fill at all, the cost is within this machine's noise.
  mallopt(M_PERTURB, 0xa5);
  // Every chunk opens its own decoder, scalers and encoders, and each allocates tens of MiB
  // of frame buffers. With glibc's defaults the big ones are mmap'd and unmapped per chunk
  // and the arenas' free tops are handed back, so every chunk faulted its buffers in afresh:
  // 264,000 page faults and 1.8 s of kernel time on the 60 s 1080p bench, against ffmpeg's
  // 27,000 and 0.4 s. Serving blocks up to glibc's largest mmap threshold from the heap and
  // never trimming it lets the next chunk reuse the pages; peak RSS is unchanged, as the
  // chunks' buffers were all live at once anyway.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
  CLI::App app{"vodctl: turn source videos into adaptive-bitrate HLS, resumably", "vodctl"};
  app.set_version_flag("--version", std::string("vodctl ") + VODCTL_VERSION);
  app.require_subcommand(1);
  // Global options are accepted after the subcommand too: `vodctl run A B --state X`.
  app.fallthrough();
  cli::GlobalOptions global;
  app.add_option("--state", global.state_path, "State database (env VODCTL_STATE)")
      ->envname("VODCTL_STATE");
  app.add_flag("--quiet,-q", global.quiet, "No progress or information on stderr");
  app.add_flag("--verbose,-v", global.verbose, "More detail on stderr, FFmpeg's warnings too");
  std::string log_format = "text";
  app.add_option("--log-format", log_format, "text, or json: one JSON object per line on stderr")
      ->check(CLI::IsMember({"text", "json"}));
  std::map<std::string, std::string> s3_settings;
  cli::AddStorageFlags(app, s3_settings);
  cli::Action action;
  cli::AddRunCommand(app, global, action);
  cli::AddSplitCommand(app, global, action);
  cli::AddTranscodeChunkCommand(app, global, action);
  cli::AddConcatCommand(app, global, action);
  cli::AddSegmentCommand(app, global, action);
  cli::AddResumeCommand(app, global, action);
  cli::AddStatusCommand(app, global, action);
  cli::AddVerifyCommand(app, global, action);
  cli::AddIngestCommand(app, global, action);
  cli::AddPruneCommand(app, global, action);
  cli::AddEventsCommand(app, global, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "vodctl: %s (see vodctl --help)\n", e.what());
    return static_cast<int>(ExitCode::kUsage);
  }

  log::SetLevel(global.quiet ? log::Level::kQuiet
                             : global.verbose ? log::Level::kVerbose : log::Level::kNormal);
  log::SetFormat(log_format == "json" ? log::Format::kJson : log::Format::kText);
  // FFmpeg's own messages would break the one-line error contract; errors reach the user
  // through vodctl::Error with context instead.
  av_log_set_level(global.verbose ? AV_LOG_WARNING : AV_LOG_QUIET);
  SetS3SettingOverrides(std::move(s3_settings));
  InstallStopSignalHandlers();
  int code = 0;
  try {
    code = action();
  } catch (const Error& e) {
    log::WriteError(e.what());
    code = static_cast<int>(e.code());
  } catch (const std::exception& e) {
    log::WriteError(std::string("internal error: ") + e.what());
    code = static_cast<int>(ExitCode::kSoftware);
  }
  // A failed job's job.failed goes out too.
  cli::FinishNotifications();
  return code;
}
