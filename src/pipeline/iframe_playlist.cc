#include "pipeline/iframe_playlist.h"

#include "vodctl/error.h"

#include <algorithm>
#include <cmath>

namespace vodctl {

void IFramePlaylistBuilder::AddSegment(const std::string& uri,
                                       const std::vector<media::SegmentMuxer::KeyFrame>& key_frames) {
  for (const media::SegmentMuxer::KeyFrame& key_frame : key_frames) {
    // Closed GOPs: a key frame comes before every frame that follows it in decode order, in
    // presentation order too, so the durations below are never negative.
    if (!entries_.empty() && key_frame.pts <= entries_.back().key_frame.pts) {
      Fail(ExitCode::kSoftware, "{}: key frame at pts {} does not follow the one at {}", uri,
           key_frame.pts, entries_.back().key_frame.pts);
    }
    entries_.push_back({uri, key_frame});
  }
}

hls::MediaPlaylist IFramePlaylistBuilder::Finish(int64_t end_pts,
                                                 const std::optional<std::string>& init_uri) const {
  if (entries_.empty()) Fail(ExitCode::kSoftware, "I-frame playlist without key frames");
  hls::MediaPlaylist playlist;
  playlist.init_uri = init_uri;
  playlist.iframes_only = true;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const media::SegmentMuxer::KeyFrame& key_frame = entries_[i].key_frame;
    const int64_t next = i + 1 < entries_.size() ? entries_[i + 1].key_frame.pts : end_pts;
    const double seconds = static_cast<double>(next - key_frame.pts) * time_base_.value();
    playlist.segments.push_back(
        {entries_[i].uri, seconds, hls::ByteRange{key_frame.size, key_frame.offset}});
  }
  return playlist;
}

std::pair<int64_t, int64_t> IFramePlaylistBuilder::Bandwidth(const hls::MediaPlaylist& playlist) {
  double peak = 0;
  double bits = 0;
  double seconds = 0;
  for (const hls::MediaSegment& entry : playlist.segments) {
    const double entry_bits = 8.0 * static_cast<double>(entry.byte_range ? entry.byte_range->length : 0);
    if (entry.duration > 0) peak = std::max(peak, entry_bits / entry.duration);
    bits += entry_bits;
    seconds += entry.duration;
  }
  const int64_t average = seconds > 0 ? static_cast<int64_t>(bits / seconds) : 0;
  return {static_cast<int64_t>(std::ceil(peak)), average};
}

}  // namespace vodctl
