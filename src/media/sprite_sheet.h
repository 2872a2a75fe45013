// A grid of thumbnails in one picture, encoded as a JPEG. Deterministic: bit-exact scaling
// and encoding, a zeroed buffer (padding included), no metadata.
#pragma once

#include "media/av_ptr.h"

#include <string>

namespace vodctl::media {

class SpriteSheet {
 public:
  // A black picture of width x height (even), full-range YUV 4:2:0 as JPEG wants it.
  SpriteSheet(int width, int height, std::string what);

  // Scales `picture` to width x height and draws it with its top left corner at (x, y),
  // all even and inside the sheet, its colours converted from the picture's matrix (BT.709
  // or BT.601) and range to JPEG's (BT.601, full range).
  void Place(const AVFrame* picture, int x, int y, int width, int height);

  // The sheet as a baseline JPEG (JFIF).
  std::string EncodeJpeg() const;

 private:
  std::string what_;
  FramePtr sheet_;
  SwsPtr to_rgb_;    // picture -> thumbnail size, RGB
  SwsPtr to_sheet_;  // RGB -> the sheet's YUV
};

}  // namespace vodctl::media
