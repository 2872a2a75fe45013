#include "cli/cli.h"

#include <fmt/ranges.h>

namespace vodctl::cli {

void AddSourcePolicyFlags(CLI::App& command, JobFlags& flags) {
  SourcePolicy& policy = flags.options.source_policy;
  flags.allow_formats_option =
      command.add_option("--allow-formats", flags.allow_formats,
                         "Container formats a source may be, by content (playlists never)")
          ->default_str(fmt::format("{}", fmt::join(policy.formats, ",")));
  command.add_option("--max-size", policy.max_size, "Largest source, in bytes (suffixes K, M, G)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  command.add_option("--max-duration", policy.max_duration, "Longest source, in seconds")
      ->capture_default_str();
  command.add_option("--max-pixels", policy.max_pixels, "Largest picture, width x height")
      ->capture_default_str();
  command.add_option("--max-frame-rate", policy.max_frame_rate, "Highest source frame rate")
      ->capture_default_str();
  command.add_option("--max-streams", policy.max_streams, "Most streams a source may have")
      ->capture_default_str();
  command.add_option("--max-decoded-memory", policy.max_decoded_memory,
                     "Bytes of decoded pictures a source may need (suffixes K, M, G)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
}

}  // namespace vodctl::cli
