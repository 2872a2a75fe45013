#include "cli/cli.h"
#include "notify/redact_url.h"
#include "notify/signature.h"
#include "pipeline/job_id.h"
#include "vodctl/error.h"

#include <cstdlib>
#include <filesystem>
#include <thread>

#include <unistd.h>

namespace vodctl::cli {
namespace {

std::string DefaultStatePath() {
  if (const char* env = std::getenv("VODCTL_STATE"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) {
    return std::string(xdg) + "/vodctl/vodctl.db";
  }
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/state/vodctl/vodctl.db";
}

}  // namespace

int DefaultWorkers() {
  constexpr int64_t kBytesPerWorker = int64_t{1} << 30;
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int64_t free_bytes = static_cast<int64_t>(sysconf(_SC_AVPHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  int by_memory = static_cast<int>(std::max<int64_t>(1, free_bytes / kBytesPerWorker));
  return std::min(cores, by_memory);
}

std::string AbsoluteUrl(const std::string& url) {
  if (url.find("://") != std::string::npos) return url;
  return std::filesystem::absolute(url).lexically_normal().string();
}

std::unique_ptr<StateStore> OpenState(const GlobalOptions& global) {
  std::filesystem::path path = MakeRunnerOptions(global).state_path;
  std::error_code ignored;  // a folder that cannot be made shows up as the open's error
  std::filesystem::create_directories(std::filesystem::absolute(path).parent_path(), ignored);
  std::unique_ptr<StateStore> state = OpenSqliteStateStore(path.string());
  StartNotifications(path.string());
  return state;
}

RunnerOptions MakeRunnerOptions(const GlobalOptions& global) {
  return {global.state_path.empty() ? DefaultStatePath() : global.state_path, global.workers,
          global.wait_for_lock};
}

void AddWaitFlag(CLI::App& command, GlobalOptions& global) {
  command.add_flag("--wait", global.wait_for_lock,
                   "If another process is working on the job, wait for it instead of exiting 75");
}

void AddWorkersFlag(CLI::App& command, GlobalOptions& global) {
  command.add_option("--jobs", global.workers, "Chunks transcoded side by side (default: one per core with 1 GiB free)")
      ->check(CLI::Range(1, 256));
}

void AddJobFlags(CLI::App& command, JobFlags& flags) {
  command.add_option("--job", flags.job_id, "Job ID (default: derived from SOURCE and OUTPUT)");
  command.add_option("--tmp", flags.tmp, "Where intermediate files go (default: beside the state)");
  flags.ladder_option = command.add_option("--ladder", flags.ladder,
                                           "Rungs as HEIGHTp[@MAXRATE], e.g. 720p@3000k,360p");
  command.add_option("--preset", flags.options.preset, "x264 preset")->capture_default_str();
  command.add_option("--crf", flags.options.crf, "x264 constant rate factor")->capture_default_str();
  command.add_option("--segment-duration", flags.options.segment_duration, "HLS segment seconds")
      ->capture_default_str();
  command.add_option("--chunk-duration", flags.options.chunk_duration, "Seconds per chunk")
      ->capture_default_str();
  command.add_option("--format", flags.format, "Segment format: fmp4 or ts")
      ->check(CLI::IsMember({"fmp4", "ts"}))
      ->capture_default_str();
  command.add_option("--encoder-threads", flags.options.encoder_threads,
                     "x264 threads per encoder (part of the job: it changes the bytes)")
      ->capture_default_str();
  command.add_flag("--dash", flags.options.dash,
                   "Also write a DASH MPD (manifest.mpd) over the same segments; fmp4 only");
  command.add_flag("--keep-tmp", flags.options.keep_tmp, "Keep intermediate files when done");
  command.add_flag("--no-thumbnails", flags.no_thumbnails,
                   "Make no thumbnail sprite sheets and WebVTT track");
  command.add_option("--loudness", flags.loudness,
                     "Integrated loudness every audio rendition is brought to, in LUFS "
                     "(ITU-R BS.1770), or off")
      ->capture_default_str();
  command.add_option("--true-peak", flags.options.true_peak_dbtp,
                     "Ceiling for the audio's true peak after normalisation, in dBTP")
      ->capture_default_str();
  command.add_option("--surround", flags.surround,
                     "A 5.1 AAC rendition beside the stereo one for sources with more channels")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  command.add_option("--cache-control-media", flags.options.publish.cache_control_media,
                     "Cache-Control of segments, init segments and sprite sheets on S3 "
                     "(\"\": none)")
      ->capture_default_str();
  command.add_option("--cache-control-playlists", flags.options.publish.cache_control_playlists,
                     "Cache-Control of playlists, the MPD, vodctl.json and the thumbnail index "
                     "on S3 (\"\": none)")
      ->capture_default_str();
  command.add_flag("--compress-playlists", flags.options.publish.compress_playlists,
                   "Store playlists and the MPD gzip-compressed (Content-Encoding: gzip on S3, "
                   "a NAME.gz twin locally)");
  AddSourcePolicyFlags(command, flags);
  command.add_option("--notify", flags.notify.urls,
                     "POST the job's events, signed, to this URL (repeatable; needs "
                     "VODCTL_NOTIFY_SECRET)")
      ->allow_extra_args(false);
  command.add_option("--notify-progress-interval", flags.notify.progress_interval,
                     "Seconds between job.progress events")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  command.add_option("--notify-retry-for", flags.notify.retry_for,
                     "Seconds to keep retrying an undelivered event")
      ->check(CLI::Range(0.0, 30.0 * 86400))
      ->capture_default_str();
}

std::string JobTmpUrl(const GlobalOptions& global, const std::string& base, const std::string& id) {
  std::string tmp_base = base.empty() ? "" : AbsoluteUrl(base);
  if (tmp_base.empty()) {
    std::string state_path = MakeRunnerOptions(global).state_path;
    tmp_base = (std::filesystem::absolute(state_path).parent_path() / "tmp").string();
  }
  while (tmp_base.size() > 1 && tmp_base.back() == '/') tmp_base.pop_back();
  return tmp_base + "/" + id;
}

std::string CreateJob(StateStore& state, const GlobalOptions& global, JobFlags& flags,
                      const std::string& source_url, const std::string& output_url) {
  // Stored absolute, so a later step run from another folder finds the same files.
  const std::string source = AbsoluteUrl(source_url);
  const std::string output = AbsoluteUrl(output_url);
  // The same every time for the same source and output, so running the same command twice
  // continues the same job.
  std::string id = flags.job_id.empty()
                       ? ReadableJobId(std::filesystem::path(source).stem().string(),
                                       source + '\n' + output)
                       : flags.job_id;
  ValidateJobId(id);
  JobOptions options = flags.options;
  options.format = flags.format == "ts" ? SegmentFormat::kTs : SegmentFormat::kFmp4;
  options.thumbnails = !flags.no_thumbnails;
  options.loudness_lufs = ParseLoudnessTarget(flags.loudness);
  options.surround = flags.surround == "on";
  if (flags.ladder_option && flags.ladder_option->count() > 0) {
    options.ladder = ParseLadder(flags.ladder);
  }
  if (flags.allow_formats_option && flags.allow_formats_option->count() > 0) {
    options.source_policy.formats = SourcePolicy::ParseFormats(flags.allow_formats);
  }
  options.Validate();
  options.tmp = JobTmpUrl(global, flags.tmp, id);
  for (const std::string& url : flags.notify.urls) {
    if (!url.starts_with("http://") && !url.starts_with("https://")) {
      Fail(ExitCode::kUsage, "--notify takes an http:// or https:// URL, got '{}'",
           notify::RedactUrl(url));
    }
  }
  // Unsigned events could be forged by anyone who can reach the receiver.
  if (!flags.notify.urls.empty() && !std::getenv(notify::kSecretVariable)) {
    Fail(ExitCode::kUsage, "--notify needs the signing secret in {}", notify::kSecretVariable);
  }
  state.CreateOrCheckJob(id, source, output, options, flags.notify);
  return id;
}

}  // namespace vodctl::cli
