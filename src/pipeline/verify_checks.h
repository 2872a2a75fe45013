// The checks of `vodctl verify`, as pure functions of what was read from the output, so each
// rule can be tested without media. Each appends the violations it finds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "media/segment_probe.h"
#include "vodctl/playlist.h"

namespace vodctl {

struct Violation {
  std::string file;  // output key of the file at fault ("720p/seg_00003.m4s")
  std::string problem;
};

struct SegmentFacts {
  std::string key;
  double extinf = 0;
  double extinf_rounding = 0;  // the EXTINF as written is within this of its true value
  int64_t bytes = 0;
  std::optional<media::SegmentProbe> probe;  // nullopt: missing or unreadable (reported)
};

struct StreamFacts {
  std::string playlist_key;
  int64_t target_duration = 0;
  std::vector<SegmentFacts> segments;
};

struct VariantFacts {
  std::string master_key;
  std::string uri;
  int64_t bandwidth = 0;
  const StreamFacts* video = nullptr;
  const StreamFacts* audio = nullptr;  // the AUDIO group's rendition, when there is one
};

// Every EXTINF, rounded to the nearest integer, is at most EXT-X-TARGETDURATION (RFC 8216
// 4.3.3.1).
void CheckTargetDuration(const StreamFacts& stream, std::vector<Violation>& out);
// Every video segment starts with a key frame that is an H.264 IDR picture.
void CheckSegmentStarts(const StreamFacts& stream, std::vector<Violation>& out);
// Each EXTINF is the segment's real duration (up to the next segment's first frame) within a
// frame, and the EXTINFs add up to the media's duration within a frame.
void CheckDurations(const StreamFacts& stream, std::vector<Violation>& out);
// Segment N starts at the same time, within half a frame, in every video stream. A stream whose
// start most others do not share is the one named.
void CheckAlignment(const std::vector<const StreamFacts*>& videos, std::vector<Violation>& out);
// Every EXT-X-MEDIA LANGUAGE is a well-formed BCP 47 tag (RFC 8216 4.3.4.1 names RFC 5646),
// and no two renditions of a group share a NAME (4.3.4.1.1).
void CheckRenditionGroups(const std::string& master_key,
                          const std::vector<hls::AudioRendition>& renditions,
                          std::vector<Violation>& out);
// BANDWIDTH is at least the peak over segments of (video + same-index audio bytes) * 8 / EXTINF.
void CheckBandwidth(const VariantFacts& variant, std::vector<Violation>& out);

}  // namespace vodctl
