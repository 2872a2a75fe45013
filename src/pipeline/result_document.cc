#include "pipeline/result_document.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace vodctl {
namespace {

using nlohmann::json;

json RationalJson(const Rational& rational) {
  return {{"num", rational.num}, {"den", rational.den}, {"value", rational.value()}};
}

json StreamJson(const StreamOutput& stream) {
  return {{"name", stream.name},
          {"playlist", stream.playlist},
          {"codec", stream.codec},
          {"segments", stream.segments},
          {"bytes", stream.bytes},
          {"duration", stream.duration},
          {"peak_bit_rate", stream.peak_bit_rate},
          {"average_bit_rate", stream.average_bit_rate}};
}

json SourceAudioJson(const AudioInfo& audio) {
  return {{"codec", audio.codec},
          {"sample_rate", audio.sample_rate},
          {"channels", audio.channels},
          {"layout", ChannelLayoutName(audio.channels)},
          {"language", audio.language},
          {"title", audio.title}};
}

json SourceJson(const SourceInfo& source) {
  json streams = json::array();
  if (source.video.stream_index >= 0) {
    const VideoInfo& video = source.video;
    streams.push_back({{"type", "video"},
                       {"codec", video.codec},
                       {"width", video.width},
                       {"height", video.height},
                       {"frame_rate", RationalJson(video.frame_rate)},
                       {"frames", video.frame_count},
                       {"rotation", video.rotation},
                       {"field_order", video.field_order}});
  }
  std::vector<AudioInfo> audio = source.more_audio;
  if (source.audio) audio.insert(audio.begin(), *source.audio);
  for (const AudioInfo& track : audio) {
    json entry = SourceAudioJson(track);
    entry["type"] = "audio";
    streams.push_back(entry);
  }
  return {{"size", source.size},
          {"container", source.format},
          {"duration", source.duration},
          {"bit_rate", source.bit_rate},
          {"streams", streams}};
}

}  // namespace

std::string ChannelLayoutName(int channels) {
  switch (channels) {
    case 1: return "mono";
    case 2: return "stereo";
    case 6: return "5.1";
    case 8: return "7.1";
    default: return fmt::format("{} channels", channels);
  }
}

json ResultDocument(const ResultOutputs& outputs, const std::string& vodctl_version) {
  json renditions = json::array();
  for (const VideoRenditionOutput& rendition : outputs.renditions) {
    json entry = StreamJson(rendition.stream);
    entry["codecs"] = rendition.codecs;
    entry["width"] = rendition.width;
    entry["height"] = rendition.height;
    entry["frame_rate"] = rendition.frame_rate;
    entry["bandwidth"] = rendition.bandwidth;
    entry["average_bandwidth"] = rendition.average_bandwidth;
    entry["iframe_playlist"] =
        rendition.iframe_playlist ? json(*rendition.iframe_playlist) : json();
    renditions.push_back(entry);
  }
  json audio = json::array();
  for (const AudioRenditionOutput& track : outputs.audio) {
    json entry = StreamJson(track.stream);
    entry["language"] = track.language;
    entry["channels"] = track.channels;
    entry["layout"] = ChannelLayoutName(track.channels);
    entry["sample_rate"] = track.sample_rate;
    entry["loudness"] = track.loudness;
    audio.push_back(entry);
  }
  return {{"schema_version", kResultSchemaVersion},
          {"vodctl_version", vodctl_version},
          {"source", SourceJson(outputs.source)},
          {"segment_format", outputs.segment_format},
          {"master_playlist", outputs.master_playlist},
          {"dash_manifest", outputs.dash_manifest ? json(*outputs.dash_manifest) : json()},
          {"thumbnails", outputs.thumbnails ? json(*outputs.thumbnails) : json()},
          {"renditions", renditions},
          {"audio", audio}};
}

}  // namespace vodctl
