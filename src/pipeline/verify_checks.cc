#include "pipeline/verify_checks.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include "media/h264_nal.h"
#include "pipeline/language_tag.h"

namespace vodctl {
namespace {

// Float noise from time bases and decimals, far below anything a frame could hide.
constexpr double kEpsilon = 1e-6;

bool AllProbed(const StreamFacts& stream) {
  return !stream.segments.empty() &&
         std::all_of(stream.segments.begin(), stream.segments.end(),
                     [](const SegmentFacts& segment) { return segment.probe.has_value(); });
}

}  // namespace

void CheckTargetDuration(const StreamFacts& stream, std::vector<Violation>& out) {
  for (const SegmentFacts& segment : stream.segments) {
    const long rounded = std::lround(segment.extinf);
    if (rounded > stream.target_duration) {
      out.push_back({stream.playlist_key,
                     fmt::format("EXTINF {:.6f} of {} rounds to {}, above EXT-X-TARGETDURATION {}",
                                 segment.extinf, segment.key, rounded, stream.target_duration)});
    }
  }
}

void CheckSegmentStarts(const StreamFacts& stream, std::vector<Violation>& out) {
  for (const SegmentFacts& segment : stream.segments) {
    if (!segment.probe || !segment.probe->video) continue;
    const media::SegmentProbe& probe = *segment.probe;
    if (!probe.starts_with_key) {
      out.push_back({segment.key, "does not start with a key frame"});
    } else if (probe.h264 && std::find(probe.first_nal_types.begin(), probe.first_nal_types.end(),
                                       media::kNalIdrSlice) == probe.first_nal_types.end()) {
      out.push_back({segment.key, fmt::format("starts with a key frame that is not an IDR picture "
                                              "(NAL unit types {})",
                                              fmt::join(probe.first_nal_types, ", "))});
    }
  }
}

void CheckRenditionGroups(const std::string& master_key,
                          const std::vector<hls::AudioRendition>& renditions,
                          std::vector<Violation>& out) {
  std::set<std::pair<std::string, std::string>> names;  // (GROUP-ID, NAME)
  for (const hls::AudioRendition& rendition : renditions) {
    if (!rendition.language.empty() && !WellFormedLanguageTag(rendition.language)) {
      out.push_back({master_key, fmt::format("EXT-X-MEDIA NAME \"{}\" has LANGUAGE \"{}\", which "
                                             "is not a well-formed BCP 47 tag",
                                             rendition.name, rendition.language)});
    }
    if (!names.emplace(rendition.group_id, rendition.name).second) {
      out.push_back({master_key, fmt::format("two EXT-X-MEDIA of GROUP-ID \"{}\" have NAME \"{}\"",
                                             rendition.group_id, rendition.name)});
    }
  }
}

void CheckDurations(const StreamFacts& stream, std::vector<Violation>& out) {
  const auto& segments = stream.segments;
  for (size_t i = 0; i < segments.size(); ++i) {
    const auto& probe = segments[i].probe;
    const bool last = i + 1 == segments.size();
    if (!probe || (!last && !segments[i + 1].probe)) continue;
    const double end = last ? probe->end : segments[i + 1].probe->start;
    const double actual = end - probe->start;
    const double allowed = probe->frame_duration + segments[i].extinf_rounding + kEpsilon;
    if (std::abs(segments[i].extinf - actual) > allowed) {
      out.push_back(
          {segments[i].key,
           fmt::format("EXTINF says {:.6f} s but the segment lasts {:.6f} s "
                       "(from {:.6f} s to {:.6f} s, listed in {})",
                       segments[i].extinf, actual, probe->start, end, stream.playlist_key)});
    }
  }
  if (!AllProbed(stream)) return;
  double listed = 0;
  double rounding = 0;
  for (const SegmentFacts& segment : segments) {
    listed += segment.extinf;
    rounding += segment.extinf_rounding;
  }
  const media::SegmentProbe& first = *segments.front().probe;
  const double media = segments.back().probe->end - first.start;
  if (std::abs(listed - media) > first.frame_duration + rounding + kEpsilon) {
    out.push_back(
        {stream.playlist_key,
         fmt::format("the EXTINF durations add up to {:.6f} s but the media lasts {:.6f} s", listed,
                     media)});
  }
}

void CheckAlignment(const std::vector<const StreamFacts*>& videos, std::vector<Violation>& out) {
  if (videos.empty()) return;
  const StreamFacts& first = *videos.front();
  std::vector<const StreamFacts*> same_count;
  for (const StreamFacts* video : videos) {
    if (video->segments.size() == first.segments.size()) {
      same_count.push_back(video);
      continue;
    }
    out.push_back({video->playlist_key,
                   fmt::format("has {} segments but {} has {}: segment boundaries differ across "
                               "variants",
                               video->segments.size(), first.playlist_key, first.segments.size())});
  }
  auto same_start = [](const SegmentFacts& a, const SegmentFacts& b) {
    return std::abs(a.probe->start - b.probe->start) <= b.probe->frame_duration / 2 + kEpsilon;
  };
  for (size_t i = 0; i < first.segments.size(); ++i) {
    std::vector<const SegmentFacts*> starts;
    for (const StreamFacts* video : same_count) {
      const SegmentFacts& segment = video->segments[i];
      if (segment.probe && segment.probe->video) starts.push_back(&segment);
    }
    // The start most variants agree on is the right one, so the odd one out is named; with a
    // tie, the variant listed first in the master playlist wins.
    const SegmentFacts* reference = nullptr;
    long most = 0;
    for (const SegmentFacts* candidate : starts) {
      const long agreeing =
          std::count_if(starts.begin(), starts.end(),
                        [&](const SegmentFacts* other) { return same_start(*other, *candidate); });
      if (agreeing > most) {
        most = agreeing;
        reference = candidate;
      }
    }
    for (const SegmentFacts* segment : starts) {
      if (same_start(*segment, *reference)) continue;
      out.push_back({segment->key,
                     fmt::format("starts at {:.6f} s but {} starts at {:.6f} s: segment "
                                 "boundaries differ across variants",
                                 segment->probe->start, reference->key, reference->probe->start)});
    }
  }
}

void CheckBandwidth(const VariantFacts& variant, std::vector<Violation>& out) {
  double peak = 0;
  std::string peak_files;
  for (size_t i = 0; i < variant.video->segments.size(); ++i) {
    const SegmentFacts& video = variant.video->segments[i];
    if (!video.probe || video.extinf <= 0) continue;
    int64_t bytes = video.bytes;
    std::string files = video.key;
    if (variant.audio && i < variant.audio->segments.size()) {
      const SegmentFacts& audio = variant.audio->segments[i];
      if (!audio.probe) continue;
      bytes += audio.bytes;
      files += " + " + audio.key;
    }
    // The longest duration the written EXTINF allows, so its rounding cannot raise the peak.
    const double rate = static_cast<double>(bytes) * 8 / (video.extinf + video.extinf_rounding);
    if (rate > peak) {
      peak = rate;
      peak_files = std::move(files);
    }
  }
  // BANDWIDTH is a whole number of bit/s; one more covers rounding it up from the true peak.
  if (static_cast<double>(variant.bandwidth) + 1 < peak) {
    out.push_back({variant.master_key,
                   fmt::format("BANDWIDTH={} of {} is below the measured peak {:.0f} bit/s ({})",
                               variant.bandwidth, variant.uri, peak, peak_files)});
  }
}

}  // namespace vodctl
