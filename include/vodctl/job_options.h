// What a job is asked to make. Fixed when the job is created and stored with it: every value
// here can change the encoded bytes, so later steps read it from the state, never from flags.
#pragma once

#include "vodctl/publish_policy.h"
#include "vodctl/source_policy.h"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

namespace vodctl {

// One rung of the ladder as the user asked for it: "720p@3000k" or "720p".
struct RungSpec {
  int height = 0;
  std::optional<int> maxrate_kbps;  // unset: the default ladder's rate for that height
  bool operator==(const RungSpec&) const = default;
};

// Parses "1080p@5000k,720p@3000k,360p". Throws Error(kDataError) naming the bad rung.
std::vector<RungSpec> ParseLadder(const std::string& spec);
std::string FormatLadder(const std::vector<RungSpec>& ladder);

enum class SegmentFormat { kFmp4, kTs };

struct JobOptions {
  std::vector<RungSpec> ladder;  // empty: the default ladder, chosen from the source
  std::string preset = "veryfast";
  int crf = 23;
  double segment_duration = 6.0;
  // 0: chosen from the source's duration by ChunkDuration(), when split has probed it.
  double chunk_duration = 0;
  SegmentFormat format = SegmentFormat::kFmp4;
  // x264's output depends on its thread count, so it is part of the job, not of the host.
  // One thread by default: x264's frame threads are not even reproducible for widths that
  // are not a multiple of 16 (854x480 encodes differently run to run), so more than one
  // thread means sliced threads, and parallelism comes from chunks side by side.
  int encoder_threads = 1;
  // Also write a DASH MPD (manifest.mpd) over the same CMAF segments; fMP4 only.
  bool dash = false;
  std::string tmp;  // URL of the job's intermediate files
  bool keep_tmp = false;
  // A JPEG sprite sheet of thumbnails with a WebVTT track naming them (--no-thumbnails: none).
  bool thumbnails = true;
  // What the source must be (formats, codecs, limits), checked before split writes anything.
  SourcePolicy source_policy;
  // Every audio rendition brought to this integrated loudness (ITU-R BS.1770, LUFS) by a
  // linear gain, its true peak held at or below true_peak_dbtp (a limiter, only where the
  // gain would push it over); nullopt (--loudness off): the audio keeps the source's level.
  // -16 by default: where Apple, Spotify and YouTube play at (-14 to -16), so a catalogue's
  // videos play at the level of everything else a viewer hears; EBU R128's -23 is broadcast's.
  std::optional<double> loudness_lufs = kDefaultLoudnessLufs;
  double true_peak_dbtp = -1;
  // A 5.1 rendition beside the stereo one of each source stream with more than two channels.
  bool surround = true;
  // How the output's objects are published for a CDN. It changes their headers and how
  // playlists are stored, not the media: the publish tag (pipeline/publish_tag.h) leaves it out.
  PublishPolicy publish;

  bool operator==(const JobOptions&) const = default;
  // Throws Error(kUsage) naming the option that is out of range.
  void Validate() const;
  // The chunk length for a source of `source_seconds`: chunk_duration when set, otherwise
  // enough chunks (about 16, in whole segments, from one segment up to kMaxAutoChunkSeconds)
  // that the last ones still keep every core busy; the same on every host, so a job's plan
  // does not depend on where it was split.
  double ChunkDuration(double source_seconds) const;
  static constexpr double kMaxAutoChunkSeconds = 20;
  static constexpr double kDefaultLoudnessLufs = -16;
};

// "--loudness" as given: "off", or a target in LUFS ("-16", "-23.5"). Throws Error(kUsage)
// for anything else; the range is JobOptions::Validate()'s.
std::optional<double> ParseLoudnessTarget(const std::string& text);

void to_json(nlohmann::json& j, const JobOptions& options);
void from_json(const nlohmann::json& j, JobOptions& options);

// Job IDs become storage keys and file names: letters, digits, '-', '_', '.', at most 128,
// not starting with '.'. Throws Error(kUsage) otherwise.
void ValidateJobId(const std::string& id);

}  // namespace vodctl
