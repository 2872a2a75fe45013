// What probing a source found, stored with the job so later steps and `status` need not
// open the source again.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vodctl {

struct Rational {
  int num = 0;
  int den = 1;
  double value() const { return den ? static_cast<double>(num) / den : 0.0; }
  bool operator==(const Rational&) const = default;
};

// A picture's colour description, in FFmpeg's names ("bt709", "smpte2084", "tv", "left");
// "unknown" (chroma location: "unspecified") where the source does not say. HDR sources may
// carry their mastering display's luminance and their content light levels; 0 where absent.
// The defaults are BT.709 limited range: a job stored before vodctl read colour had no colour
// stage, and reading its source as BT.709 keeps it so when it resumes.
struct ColourInfo {
  std::string primaries = "bt709";
  std::string transfer = "bt709";
  std::string matrix = "bt709";
  std::string range = "tv";
  std::string chroma_location = "unspecified";
  double mastering_max_luminance = 0;  // cd/m²
  double mastering_min_luminance = 0;  // cd/m²
  int max_cll = 0;                     // brightest pixel of the content, cd/m²
  int max_fall = 0;                    // brightest frame average, cd/m²
  bool operator==(const ColourInfo&) const = default;
};

struct VideoInfo {
  int stream_index = -1;
  std::string codec;
  int width = 0;
  int height = 0;
  Rational sample_aspect{1, 1};
  Rational frame_rate;       // the source's average rate
  Rational time_base;
  int64_t start_pts = 0;     // first presentation time, in time_base
  int64_t end_pts = 0;       // end of the last frame, in time_base
  int64_t frame_count = 0;
  // Degrees the stored picture turns clockwise to be shown upright (a phone's display
  // matrix): 0, 90, 180 or 270. Output is turned upright.
  int rotation = 0;
  // "progressive", or an interlaced source's first field: "tff" or "bff" (deinterlaced).
  std::string field_order = "progressive";
  ColourInfo colour;
  // What the colour stage does to the pictures, e.g. "none" or "tone-mapped ... to bt709"
  // (media::PlanColour's summary, fixed when the job is created).
  std::string colour_conversion = "none";
  bool quarter_turn() const { return rotation == 90 || rotation == 270; }
  // Width over height as displayed, after the sample aspect ratio and rotation: anamorphic
  // and phone sources come out with the right shape.
  double display_aspect() const {
    double sar = sample_aspect.num > 0 && sample_aspect.den > 0 ? sample_aspect.value() : 1.0;
    if (width <= 0 || height <= 0) return 16.0 / 9.0;
    double aspect = width * sar / height;
    return quarter_turn() ? 1 / aspect : aspect;
  }
  // Lines of the picture as displayed, after rotation: what the ladder compares rungs with.
  int display_height() const { return quarter_turn() ? width : height; }
};

struct AudioInfo {
  int stream_index = -1;
  std::string codec;
  int sample_rate = 0;
  int channels = 0;
  Rational time_base;
  int64_t start_pts = 0;
  std::string language;  // the stream's "language" tag (ISO 639-2, e.g. "eng"), or empty
  std::string title;     // the stream's "title" tag, or empty
};

struct SourceInfo {
  std::string format;
  double duration = 0;   // seconds
  int64_t bit_rate = 0;  // bits per second, 0 when unknown
  int64_t size = 0;      // bytes
  VideoInfo video;
  std::optional<AudioInfo> audio;    // the first audio stream: the default audio rendition
  std::vector<AudioInfo> more_audio;  // further audio streams, each a rendition of its own
};

void to_json(nlohmann::json& j, const Rational& r);
void from_json(const nlohmann::json& j, Rational& r);
void to_json(nlohmann::json& j, const SourceInfo& info);
void from_json(const nlohmann::json& j, SourceInfo& info);

}  // namespace vodctl
