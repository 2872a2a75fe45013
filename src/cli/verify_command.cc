#include <fmt/format.h>

#include <cstdio>

#include "cli/cli.h"
#include "pipeline/verify.h"
#include "vodctl/error.h"
#include "vodctl/storage.h"

namespace vodctl::cli {

void AddVerifyCommand(CLI::App& app, GlobalOptions& /*global*/, Action& action) {
  auto* command =
      app.add_subcommand("verify", "Check an HLS output by itself; exit 65 on any violation");
  auto output = std::make_shared<std::string>();
  command->add_option("OUTPUT", *output, "Output folder or URL holding master.m3u8")->required();
  command->callback([&action, output]() {
    action = [output]() {
      const VerifyReport report = VerifyHls(*OpenExistingStorage(*output));
      // The report is the command's result, so it goes to stdout; one line per violation.
      for (const Violation& violation : report.violations) {
        fmt::print("{}: {}\n", violation.file, violation.problem);
      }
      fmt::print("{}: {} playlists, {} segments, {} violation(s)\n", *output, report.playlists,
                 report.segments, report.violations.size());
      std::fflush(stdout);
      if (report.violations.empty()) return 0;
      Fail(ExitCode::kDataError, "'{}' is not valid HLS: {} violation(s), see the report", *output,
           report.violations.size());
    };
  });
}

}  // namespace vodctl::cli
