// DASH MPD model and writer (ISO/IEC 23009-1) for the same CMAF segments the HLS playlists
// name: a static MPD, live profile, one SegmentTemplate with a SegmentTimeline per
// Representation. A pure function of its input: no clock, no host, no job ID.
#pragma once

#include "vodctl/source_info.h"

#include <cstdint>
#include <string>
#include <vector>

namespace vodctl::dash {

// When one representation's segments play, in its track's timescale, exactly as the fMP4
// fragments carry them (the segment muxer's presentation offset included).
struct SegmentTimes {
  int64_t timescale = 0;
  std::vector<int64_t> starts;  // earliest presentation time of each segment, increasing
  int64_t end = 0;              // end of the last sample of the last segment
};

// Files are FOLDER/init.mp4 and FOLDER/seg_NNNNN.m4s, numbered from 0, where FOLDER is the
// id (the HLS rendition's folder).
struct Representation {
  std::string id;          // "720p", "audio"
  int64_t bandwidth = 0;   // peak bits/s of this representation alone, over its segments
  std::string codecs;      // RFC 6381, the same string the HLS master gives
  SegmentTimes times;
};

struct VideoRepresentation : Representation {
  int width = 0;
  int height = 0;
};

struct AudioTrack {
  std::string language;  // BCP 47; empty when unknown: no @lang
  int channels = 2;
  int sample_rate = 48000;
  Representation representation;
};

struct Presentation {
  Rational frame_rate;  // of every video representation
  std::vector<VideoRepresentation> video;  // at least one
  std::vector<AudioTrack> audio;           // an AdaptationSet each
  // Every representation's files, in its folder (named by its id): the init segment and the
  // SegmentTemplate media pattern.
  std::string init_name = "init.mp4";
  std::string media_template = "seg_$Number%05d$.m4s";
};

// The presentation starts (time 0 of the Period) at the first video segment's start, in every
// representation through its presentationTimeOffset, so audio and video keep the offset they
// have in the fragments. mediaPresentationDuration is the first video representation's span;
// minBufferTime the longest segment of any representation. Error(kSoftware) for an empty or
// decreasing timeline: vodctl made it, so that is a bug.
std::string RenderMpd(const Presentation& presentation);

}  // namespace vodctl::dash
