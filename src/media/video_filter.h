// Runs decoded pictures through a libavfilter chain (deinterlacing, rotation), one picture
// out for each picture in, timestamps kept in the time base they came in with.
#pragma once

#include "media/av_ptr.h"
#include "media/filter_graph.h"

#include <string>

namespace vodctl::media {

class VideoFilter {
 public:
  // `description`: a filter chain in libavfilter's syntax, e.g. "transpose=clock". Frames'
  // timestamps are in `time_base`. The graph is built on the first frame, from its size and
  // pixel format.
  VideoFilter(std::string description, AVRational time_base, std::string what);

  // Sends a frame (nullptr: end of input, to drain). The frame is left empty.
  void Send(AVFrame* frame);
  // The next filtered frame, or false when the chain needs more input or is drained.
  bool Receive(AVFrame* frame);

 private:
  void Build(const AVFrame* first);

  std::string description_;
  AVRational time_base_;
  std::string what_;
  FilterGraph graph_;  // built on the first frame
};

}  // namespace vodctl::media
