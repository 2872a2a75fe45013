// The I-frame playlist of a video rendition (trick play: fast forward, scrubbing previews):
// one entry per key frame, a byte range of the segment that holds it, lasting until the next
// key frame, so the entries add up to the rendition's duration.
#pragma once

#include "media/segment_muxer.h"
#include "vodctl/playlist.h"
#include "vodctl/source_info.h"

#include <optional>
#include <string>
#include <vector>

namespace vodctl {

class IFramePlaylistBuilder {
 public:
  explicit IFramePlaylistBuilder(Rational time_base) : time_base_(time_base) {}

  // The key frames of segment `uri`, in decode order, as SegmentMuxer::key_frames() gives.
  void AddSegment(const std::string& uri, const std::vector<media::SegmentMuxer::KeyFrame>& key_frames);

  // `end_pts`: where the rendition's last frame ends. Error(kSoftware) without key frames.
  hls::MediaPlaylist Finish(int64_t end_pts, const std::optional<std::string>& init_uri) const;

  // Peak and average bits per second over the entries of the playlist Finish made (RFC 8216
  // 4.3.4.3: BANDWIDTH of an I-frame stream is its peak segment bit rate).
  static std::pair<int64_t, int64_t> Bandwidth(const hls::MediaPlaylist& playlist);

 private:
  struct Entry {
    std::string uri;
    media::SegmentMuxer::KeyFrame key_frame;
  };
  Rational time_base_;
  std::vector<Entry> entries_;
};

}  // namespace vodctl
