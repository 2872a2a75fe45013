// Scales decoded pictures to one rendition's size as yuv420p.
#pragma once

#include "media/av_ptr.h"

#include <string>

namespace vodctl::media {

class Scaler {
 public:
  Scaler(int width, int height, std::string what);
  // Returns a new frame owning the scaled picture. Bit-exact mode: the same input gives the
  // same pixels on every CPU, so a chunk redone on another host encodes identically.
  FramePtr Scale(const AVFrame* input);

 private:
  int width_;
  int height_;
  std::string what_;
  SwsPtr context_;  // rebuilt by sws_getCachedContext if the input format changes
};

}  // namespace vodctl::media
