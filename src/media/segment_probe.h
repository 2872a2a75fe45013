// What one HLS media segment holds, read from its bytes: the facts `vodctl verify` checks
// against the playlists (first picture, presentation times).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vodctl::media {

struct SegmentProbe {
  bool video = false;  // the segment's first video stream, else its first audio stream
  int64_t packets = 0;
  double start = 0;           // seconds: earliest presentation time
  double end = 0;             // seconds: latest presentation time plus that frame's duration
  double frame_duration = 0;  // seconds of one video frame or one audio packet
  bool starts_with_key = false;
  bool h264 = false;
  std::vector<int> first_nal_types;  // H.264: NAL unit types of the first packet
};

// Reads a segment held in memory (fMP4: the init section and the segment joined). `name`
// is for messages. Error(kDataError) naming it when it is not media with audio or video.
SegmentProbe ProbeSegment(std::string bytes, const std::string& name);

}  // namespace vodctl::media
