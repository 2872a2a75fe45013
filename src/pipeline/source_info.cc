#include "vodctl/source_info.h"

#include <nlohmann/json.hpp>

namespace vodctl {
namespace {

using nlohmann::json;

json VideoToJson(const VideoInfo& v) {
  return json{{"stream_index", v.stream_index}, {"codec", v.codec},
              {"width", v.width},               {"height", v.height},
              {"sample_aspect", v.sample_aspect}, {"frame_rate", v.frame_rate},
              {"time_base", v.time_base},       {"start_pts", v.start_pts},
              {"end_pts", v.end_pts},           {"frame_count", v.frame_count}};
}

VideoInfo VideoFromJson(const json& j) {
  VideoInfo v;
  j.at("stream_index").get_to(v.stream_index);
  j.at("codec").get_to(v.codec);
  j.at("width").get_to(v.width);
  j.at("height").get_to(v.height);
  j.at("sample_aspect").get_to(v.sample_aspect);
  j.at("frame_rate").get_to(v.frame_rate);
  j.at("time_base").get_to(v.time_base);
  j.at("start_pts").get_to(v.start_pts);
  j.at("end_pts").get_to(v.end_pts);
  j.at("frame_count").get_to(v.frame_count);
  return v;
}

json AudioToJson(const AudioInfo& a) {
  return json{{"stream_index", a.stream_index}, {"codec", a.codec},
              {"sample_rate", a.sample_rate},   {"channels", a.channels},
              {"time_base", a.time_base},       {"start_pts", a.start_pts}};
}

AudioInfo AudioFromJson(const json& j) {
  AudioInfo a;
  j.at("stream_index").get_to(a.stream_index);
  j.at("codec").get_to(a.codec);
  j.at("sample_rate").get_to(a.sample_rate);
  j.at("channels").get_to(a.channels);
  j.at("time_base").get_to(a.time_base);
  j.at("start_pts").get_to(a.start_pts);
  return a;
}

}  // namespace

void to_json(json& j, const Rational& r) { j = json{{"num", r.num}, {"den", r.den}}; }

void from_json(const json& j, Rational& r) {
  j.at("num").get_to(r.num);
  j.at("den").get_to(r.den);
}

void to_json(json& j, const SourceInfo& info) {
  j = json{{"format", info.format},
           {"duration", info.duration},
           {"bit_rate", info.bit_rate},
           {"size", info.size},
           {"video", VideoToJson(info.video)},
           {"audio", info.audio ? AudioToJson(*info.audio) : json(nullptr)}};
}

void from_json(const json& j, SourceInfo& info) {
  j.at("format").get_to(info.format);
  j.at("duration").get_to(info.duration);
  j.at("bit_rate").get_to(info.bit_rate);
  j.at("size").get_to(info.size);
  info.video = VideoFromJson(j.at("video"));
  const json& audio = j.at("audio");
  info.audio = audio.is_null() ? std::nullopt : std::optional(AudioFromJson(audio));
}

}  // namespace vodctl
