// Runs PCM frames through a libavfilter chain (gain, a limiter, a loudness meter). The input's
// format is fixed when the filter is made: planar float at `sample_rate` in `layout`, as
// AudioRenderer makes it.
#pragma once

#include "media/av_ptr.h"
#include "media/filter_graph.h"

#include <optional>
#include <string>

namespace vodctl::media {

class AudioFilter {
 public:
  // `chain` in libavfilter's syntax, e.g. "volume=-3dB". With `frame_size`, every frame out
  // holds exactly that many samples but the last (what an AAC encoder needs); the output is
  // planar float at the input's rate and layout.
  AudioFilter(const std::string& chain, int sample_rate, const AVChannelLayout& layout,
              std::optional<int> frame_size, std::string what);

  // Sends a frame (nullptr: end of input, to drain). The frame is left as it was.
  void Send(const AVFrame* frame);
  // The next filtered frame, or false when the chain needs more input or is drained.
  bool Receive(AVFrame* frame);

 private:
  std::string what_;
  FilterGraph graph_;
};

}  // namespace vodctl::media
