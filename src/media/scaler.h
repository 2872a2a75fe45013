// Scales decoded pictures to one rendition's size as yuv420p. Pictures reach it in BT.709
// limited range, the colour stage (media/colour.h) having converted any others, so it
// changes size and bit depth and never the colours' meaning.
#pragma once

#include "media/av_ptr.h"

#include <string>

namespace vodctl::media {

class Scaler {
 public:
  Scaler(int width, int height, std::string what);
  // Returns a new frame owning the scaled picture. Bit-exact mode: the same input gives the
  // same pixels on every CPU, so a chunk redone on another host encodes identically. A
  // picture already of the rendition's size and format comes back as a new reference to the
  // same pixels, not a copy.
  FramePtr Scale(const AVFrame* input);

 private:
  // A picture of the rendition's size from pool_, its padding zeroed.
  FramePtr NewPicture();
  void ZeroPadding(const AVFrame& picture) const;

  int width_;
  int height_;
  std::string what_;
  SwsPtr context_;
  // Pictures are recycled rather than allocated per frame: a fresh 1.4 MB allocation is a
  // fresh mmap, whose page faults and page clearing cost more than reusing one.
  BufferPoolPtr pool_;  // rebuilt by sws_getCachedContext if the input format changes
};

}  // namespace vodctl::media
