#include "vodctl/mpd.h"

#include "vodctl/error.h"

#include <fmt/format.h>
#include <pugixml.hpp>

extern "C" {
#include <libavutil/mathematics.h>
}

#include <algorithm>
#include <functional>
#include <sstream>

namespace vodctl::dash {
namespace {

constexpr char kNamespace[] = "urn:mpeg:dash:schema:mpd:2011";
// Live profile: segments are separate files named by a template; on-demand would need one
// file per representation.
constexpr char kProfile[] = "urn:mpeg:dash:profile:isoff-live:2011";
constexpr char kChannelScheme[] = "urn:mpeg:dash:23003:3:audio_channel_configuration:2011";

// xs:duration with millisecond precision, fixed notation: the same bytes for the same times.
std::string Duration(double seconds) { return fmt::format("PT{:.3f}S", seconds); }

// `ticks` of one timescale in another, rounded to nearest without overflow.
int64_t Rescale(int64_t ticks, int64_t from, int64_t to) { return av_rescale(ticks, to, from); }

void CheckTimes(const Representation& representation) {
  const SegmentTimes& times = representation.times;
  const bool increasing = std::adjacent_find(times.starts.begin(), times.starts.end(),
                                             std::greater_equal<>()) == times.starts.end();
  const bool ok = times.timescale > 0 && !times.starts.empty() && increasing &&
                  times.end > times.starts.back();
  if (!ok) {
    Fail(ExitCode::kSoftware, "DASH representation '{}': bad segment times", representation.id);
  }
}

std::vector<int64_t> Durations(const SegmentTimes& times) {
  std::vector<int64_t> durations;
  for (size_t i = 0; i < times.starts.size(); ++i) {
    const int64_t next = i + 1 < times.starts.size() ? times.starts[i + 1] : times.end;
    durations.push_back(next - times.starts[i]);
  }
  return durations;
}

// One S per run of equal durations (@r counts the repeats); @t only on the first, as the
// segments follow each other without gaps.
void AppendTimeline(pugi::xml_node parent, const SegmentTimes& times) {
  pugi::xml_node timeline = parent.append_child("SegmentTimeline");
  const std::vector<int64_t> durations = Durations(times);
  for (size_t i = 0; i < durations.size();) {
    size_t run = 1;
    while (i + run < durations.size() && durations[i + run] == durations[i]) ++run;
    pugi::xml_node s = timeline.append_child("S");
    if (i == 0) s.append_attribute("t") = times.starts[0];
    s.append_attribute("d") = durations[i];
    if (run > 1) s.append_attribute("r") = static_cast<int64_t>(run - 1);
    i += run;
  }
}

// `origin` is the Period's time 0 in `origin_timescale`.
void AppendRepresentation(pugi::xml_node set, const Presentation& presentation,
                          const Representation& representation,
                          int64_t origin, int64_t origin_timescale) {
  CheckTimes(representation);
  pugi::xml_node node = set.append_child("Representation");
  node.append_attribute("id") = representation.id.c_str();
  node.append_attribute("bandwidth") = representation.bandwidth;
  node.append_attribute("codecs") = representation.codecs.c_str();
  const SegmentTimes& times = representation.times;
  pugi::xml_node segments = node.append_child("SegmentTemplate");
  segments.append_attribute("timescale") = times.timescale;
  segments.append_attribute("presentationTimeOffset") =
      Rescale(origin, origin_timescale, times.timescale);
  segments.append_attribute("initialization") =
      (representation.id + "/" + presentation.init_name).c_str();
  segments.append_attribute("media") =
      (representation.id + "/" + presentation.media_template).c_str();
  segments.append_attribute("startNumber") = 0;
  AppendTimeline(segments, times);
}

pugi::xml_node AppendAdaptationSet(pugi::xml_node period, int id, const char* content_type) {
  pugi::xml_node set = period.append_child("AdaptationSet");
  set.append_attribute("id") = id;
  set.append_attribute("contentType") = content_type;
  set.append_attribute("mimeType") = fmt::format("{}/mp4", content_type).c_str();
  // Every segment starts with a key frame at the same instant in every representation.
  set.append_attribute("segmentAlignment") = "true";
  set.append_attribute("startWithSAP") = 1;
  return set;
}

std::string FrameRate(Rational rate) {
  return rate.den == 1 ? fmt::format("{}", rate.num) : fmt::format("{}/{}", rate.num, rate.den);
}

double LongestSegment(const Presentation& presentation) {
  double longest = 0;
  auto measure = [&](const Representation& representation) {
    for (int64_t d : Durations(representation.times)) {
      longest = std::max(longest, static_cast<double>(d) / representation.times.timescale);
    }
  };
  for (const auto& video : presentation.video) measure(video);
  for (const auto& audio : presentation.audio) measure(audio.representation);
  return longest;
}

}  // namespace

std::string RenderMpd(const Presentation& presentation) {
  if (presentation.video.empty()) Fail(ExitCode::kSoftware, "DASH MPD without video");
  const Representation& first = presentation.video.front();
  CheckTimes(first);
  const int64_t origin = first.times.starts.front();
  const int64_t origin_timescale = first.times.timescale;

  pugi::xml_document document;
  pugi::xml_node declaration = document.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  pugi::xml_node mpd = document.append_child("MPD");
  mpd.append_attribute("xmlns") = kNamespace;
  mpd.append_attribute("profiles") = kProfile;
  mpd.append_attribute("type") = "static";
  mpd.append_attribute("mediaPresentationDuration") =
      Duration(static_cast<double>(first.times.end - origin) / origin_timescale).c_str();
  mpd.append_attribute("minBufferTime") = Duration(LongestSegment(presentation)).c_str();
  pugi::xml_node period = mpd.append_child("Period");
  period.append_attribute("id") = "0";
  period.append_attribute("start") = "PT0S";

  pugi::xml_node video = AppendAdaptationSet(period, 0, "video");
  video.append_attribute("frameRate") = FrameRate(presentation.frame_rate).c_str();
  int max_width = 0;
  int max_height = 0;
  for (const VideoRepresentation& representation : presentation.video) {
    max_width = std::max(max_width, representation.width);
    max_height = std::max(max_height, representation.height);
  }
  video.append_attribute("maxWidth") = max_width;
  video.append_attribute("maxHeight") = max_height;
  for (const VideoRepresentation& representation : presentation.video) {
    AppendRepresentation(video, presentation, representation, origin, origin_timescale);
    pugi::xml_node node = video.last_child();
    node.insert_attribute_after("width", node.attribute("codecs")) = representation.width;
    node.insert_attribute_after("height", node.attribute("width")) = representation.height;
    // Pixels are square: vodctl scales every rendition to the source's display aspect.
    node.insert_attribute_after("sar", node.attribute("height")) = "1:1";
  }

  int id = 1;
  for (const AudioTrack& track : presentation.audio) {
    pugi::xml_node set = AppendAdaptationSet(period, id++, "audio");
    // @lang is optional: an unknown language is left out rather than guessed.
    if (!track.language.empty()) set.append_attribute("lang") = track.language.c_str();
    AppendRepresentation(set, presentation, track.representation, origin, origin_timescale);
    pugi::xml_node node = set.last_child();
    node.insert_attribute_after("audioSamplingRate", node.attribute("codecs")) = track.sample_rate;
    pugi::xml_node channels = node.prepend_child("AudioChannelConfiguration");
    channels.append_attribute("schemeIdUri") = kChannelScheme;
    channels.append_attribute("value") = track.channels;
  }

  std::ostringstream out;
  document.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
  return out.str();
}

}  // namespace vodctl::dash
