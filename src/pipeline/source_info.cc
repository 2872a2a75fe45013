#include "vodctl/source_info.h"

#include <nlohmann/json.hpp>

namespace vodctl {

using nlohmann::json;

void to_json(json& j, const Rational& r) { j = json{{"num", r.num}, {"den", r.den}}; }

void from_json(const json& j, Rational& r) {
  j.at("num").get_to(r.num);
  j.at("den").get_to(r.den);
}

// Keys are the member names; every key is required when reading, except the later keys of
// VideoInfo (rotation, field_order, colour, colour_conversion), AudioInfo (language, title)
// and SourceInfo (more_audio), which jobs stored by older versions lack.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ColourInfo, primaries, transfer, matrix, range,
                                                chroma_location, mastering_max_luminance,
                                                mastering_min_luminance, max_cll, max_fall)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(VideoInfo, stream_index, codec, width, height,
                                                sample_aspect, frame_rate, time_base, start_pts,
                                                end_pts, frame_count, rotation, field_order,
                                                colour, colour_conversion)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AudioInfo, stream_index, codec, sample_rate,
                                                channels, time_base, start_pts, language, title)

void to_json(json& j, const SourceInfo& info) {
  j = json{{"format", info.format},
           {"duration", info.duration},
           {"bit_rate", info.bit_rate},
           {"size", info.size},
           {"video", info.video},
           {"audio", info.audio ? json(*info.audio) : json(nullptr)},
           {"more_audio", info.more_audio}};
}

void from_json(const json& j, SourceInfo& info) {
  j.at("format").get_to(info.format);
  j.at("duration").get_to(info.duration);
  j.at("bit_rate").get_to(info.bit_rate);
  j.at("size").get_to(info.size);
  j.at("video").get_to(info.video);
  const json& audio = j.at("audio");
  info.audio = audio.is_null() ? std::nullopt : std::optional(audio.get<AudioInfo>());
  info.more_audio = j.value("more_audio", std::vector<AudioInfo>{});
}

}  // namespace vodctl
