// vodctl.json: what a job made, for the CMS, written into the output beside master.m3u8.
// Its schema is schemas/vodctl-result.schema.json.
//
// Output files must be the same bytes whatever host, time or job ID made them, so the
// document holds none of those, nor the source's URL or name (the same upload under another
// name makes the same output): no job ID, no timings. job.done's webhook carries the document
// together with those.
#pragma once

#include "vodctl/source_info.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vodctl {

inline constexpr char kResultDocumentKey[] = "vodctl.json";
// Raised when a field changes meaning or goes away; new fields keep it.
inline constexpr int kResultSchemaVersion = 1;

// One segmented stream as it came out.
struct StreamOutput {
  std::string name;      // "360p", or the audio track's name
  std::string playlist;  // "360p/index.m3u8"
  std::string codec;     // RFC 6381, e.g. "avc1.64001e" or "mp4a.40.2"
  int64_t segments = 0;
  int64_t bytes = 0;      // of the media segments
  double duration = 0;    // seconds, the playlist's segments summed
  int64_t peak_bit_rate = 0;     // bits per second
  int64_t average_bit_rate = 0;
};

struct VideoRenditionOutput {
  StreamOutput stream;
  std::string codecs;  // the master playlist's CODECS: video and the audio played with it
  int width = 0;
  int height = 0;
  double frame_rate = 0;
  // The master playlist's BANDWIDTH and AVERAGE-BANDWIDTH: with the audio played alongside.
  int64_t bandwidth = 0;
  int64_t average_bandwidth = 0;
  std::optional<std::string> iframe_playlist;
};

struct AudioRenditionOutput {
  StreamOutput stream;
  std::string language;
  int channels = 0;
  int sample_rate = 0;
  // As encoding recorded it: {"input": {...}, "gain_db", "limiter", "output": {...}}; null
  // when the job did not normalise loudness.
  nlohmann::json loudness;
};

struct ResultOutputs {
  SourceInfo source;
  std::string segment_format;  // "fmp4" or "ts"
  std::vector<VideoRenditionOutput> renditions;
  std::vector<AudioRenditionOutput> audio;
  std::string master_playlist;
  std::optional<std::string> dash_manifest;
  std::optional<std::string> thumbnails;  // the WebVTT track
};

// The document, with `vodctl_version` as the version that made it.
nlohmann::json ResultDocument(const ResultOutputs& outputs, const std::string& vodctl_version);

// "mono", "stereo", "5.1", "7.1", or "N channels".
std::string ChannelLayoutName(int channels);

}  // namespace vodctl
