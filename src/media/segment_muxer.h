// Muxes one stream into HLS media segments held in memory: fragmented MP4 (CMAF: an init
// section plus one moof/mdat run per segment) or MPEG-TS (each segment starting with PAT/PMT).
// One muxer spans the whole stream, so decode times run on across segments.
//
// For trick play, every video key frame is written so that a byte range of its segment holds
// it and decodes by itself: in fMP4 it starts a fragment (moof+mdat), in TS its packets
// follow a fresh PAT/PMT.
#pragma once

#include "media/muxer.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vodctl::media {

class SegmentMuxer {
 public:
  enum class Format { kFmp4, kTs };

  // Where a video key frame is in its segment: fMP4, from its fragment's first box through its
  // sample, the first in the mdat (with the init section it decodes alone); TS, from the
  // PAT/PMT before it to the end of its PES.
  struct KeyFrame {
    int64_t pts = 0;  // in the input stream's time base
    int64_t offset = 0;
    int64_t size = 0;
  };

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
  // The video key frames of the segment the last Cut() returned, in decode order.
  const std::vector<KeyFrame>& key_frames() const { return cut_key_frames_; }

 private:
  // Makes what was written so far complete bytes in the sink: an fMP4 fragment ends.
  void EndFragment();
  void WriteKeyFrame(AVPacket* packet);
  void TakeInitSection();

  Format format_;
  bool video_;
  std::string what_;
  AVRational input_time_base_;
  MemorySink sink_;
  Muxer muxer_;
  std::string init_;
  bool segment_open_ = false;
  bool unflushed_ = false;  // packets written since the last EndFragment()
  std::vector<KeyFrame> key_frames_;
  std::optional<KeyFrame> open_key_frame_;  // fMP4: its fragment is not written out yet
  std::vector<KeyFrame> cut_key_frames_;
};

}  // namespace vodctl::media
