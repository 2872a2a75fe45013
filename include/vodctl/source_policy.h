// What a source must be before vodctl spends work on it. Uploads are hostile until proven
// otherwise: a "video" may be a playlist that reads other files, or a header that claims a
// picture no memory can hold. Part of the job (stored with it, like JobOptions), so every
// host that resumes the job judges its source the same way.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace vodctl {

// What probing a source found, in the terms the policy judges.
struct SourceFacts {
  std::string name;          // for messages: the file or URL
  std::string format;        // libavformat's name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  int64_t size = 0;          // bytes
  double duration = 0;       // seconds, 0 when the container does not tell
  int streams = 0;
  std::string video_codec;   // empty: no video
  int width = 0;
  int height = 0;
  double frame_rate = 0;
  int64_t picture_bytes = 0;  // one decoded picture
  std::vector<std::string> audio_codecs;
};

struct SourcePolicy {
  // Container formats by libavformat's short names; a probed format is allowed when any of
  // the comma-separated names it goes by is listed.
  std::vector<std::string> formats = DefaultFormats();
  int64_t max_size = int64_t{64} << 30;          // bytes
  double max_duration = 12 * 3600;               // seconds
  int64_t max_pixels = int64_t{8192} * 4320;     // width x height of the coded picture
  double max_frame_rate = 240;
  int max_streams = 64;
  int64_t max_decoded_memory = int64_t{4} << 30;  // bytes of pictures a decoder may hold

  static std::vector<std::string> DefaultFormats();
  // Formats that read other files or URLs (playlists, concat lists, image sequences): never
  // a source, whatever --allow-formats says.
  static bool NeverAllowed(const std::string& format);
  // Parses --allow-formats "mp4,matroska". Error(kUsage) for an empty list or a format that
  // is never allowed.
  static std::vector<std::string> ParseFormats(const std::string& list);

  // Whether a probed format (libavformat's name, maybe several separated by ',') may be read.
  bool AllowsFormat(const std::string& probed) const;
  // Error(kDataError) naming source `name` when its probed format is not allowed.
  void CheckFormat(const std::string& name, const std::string& probed) const;
  // Error(kDataError) naming the first rule `source` breaks and the value it has.
  void Check(const SourceFacts& source) const;
  // Error(kUsage) naming the option out of range.
  void Validate() const;
  // Error(kDataError) when a timestamp `seconds` after the first lies past max_duration: a
  // header may claim a short file whose packets then jump decades ahead.
  void CheckElapsed(const std::string& name, double seconds) const;

  // Pictures a decoder holds at once: a full H.264/HEVC reference buffer (16) plus the frame
  // being decoded and those the scaler and encoders still read.
  static constexpr int kPicturesHeld = 20;

  bool operator==(const SourcePolicy&) const = default;
};

void to_json(nlohmann::json& j, const SourcePolicy& policy);
// Fields a job stored before the policy existed lack read as the defaults.
void from_json(const nlohmann::json& j, SourcePolicy& policy);

}  // namespace vodctl
