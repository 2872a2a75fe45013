// Muxes one stream into HLS media segments held in memory: fragmented MP4 (CMAF: an init
// section plus one moof/mdat run per segment) or MPEG-TS (each segment starting with PAT/PMT).
// One muxer spans the whole stream, so decode times run on across segments.
#pragma once

#include "media/muxer.h"

#include <optional>
#include <string>

namespace vodctl::media {

class SegmentMuxer {
 public:
  enum class Format { kFmp4, kTs };

  // `time_base`: the output stream's; the container may refine it (MP4 timescales).
  SegmentMuxer(Format format, const AVStream* input, AVRational time_base, std::string what);

  // Writes a packet of the input stream (its time base) into the current segment.
  void Write(AVPacket* packet);
  // Ends the current segment and returns its bytes. For fMP4, the first call also sets
  // init_section().
  std::string Cut();
  // The fMP4 initialization section (ftyp+moov); empty for TS.
  const std::string& init_section() const { return init_; }
  // The track's time base once the container has refined it (an MP4 timescale), and a
  // timestamp of the input stream as the track carries it: rescaled the way the muxer
  // rescales packets, presentation offset included. For manifests that describe the
  // segments' times (DASH) exactly in the track's own units.
  AVRational track_time_base() const;
  int64_t TrackTime(int64_t input_timestamp) const;

 private:
  Format format_;
  std::string what_;
  AVRational input_time_base_;
  MemorySink sink_;
  Muxer muxer_;
  std::string init_;
  bool segment_open_ = false;
};

}  // namespace vodctl::media
