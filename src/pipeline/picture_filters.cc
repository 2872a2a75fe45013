#include "pipeline/picture_filters.h"

#include "media/colour.h"

extern "C" {
#include <libavutil/display.h>
}

#include <fmt/format.h>

#include <cmath>

namespace vodctl {

int RotationFromDisplayMatrix(const int32_t* matrix) {
  if (!matrix) return 0;
  // av_display_rotation_get gives the counterclockwise angle; as in FFmpeg's CLI, its
  // negation is the clockwise turn that shows the picture upright.
  const double degrees = -av_display_rotation_get(matrix);
  if (std::isnan(degrees)) return 0;
  const int quarters = static_cast<int>(std::lround(degrees / 90));
  return ((quarters % 4) + 4) % 4 * 90;
}

std::string FieldOrderName(AVFieldOrder order) {
  switch (order) {
    case AV_FIELD_TT:
    case AV_FIELD_BT:  // bottom coded first, top displayed first
      return "tff";
    case AV_FIELD_BB:
    case AV_FIELD_TB:
      return "bff";
    default:
      return "progressive";
  }
}

std::string PictureFilterChain(const VideoInfo& video) {
  std::string chain;
  auto add = [&chain](std::string_view filter) {
    if (!chain.empty()) chain += ',';
    chain += filter;
  };
  if (video.field_order == "tff" || video.field_order == "bff") {
    // The parity comes from the stored field order, not each frame's flags, so every chunk
    // of a job is treated alike.
    add(fmt::format("bwdif=mode=send_frame:parity={}:deint=all", video.field_order));
  }
  // Colour after deinterlacing (zscale knows nothing of fields) and before rotation, which
  // then turns 8-bit pictures rather than float ones.
  if (std::string colour = media::PlanColour(video.colour, video.height).filter; !colour.empty()) {
    add(colour);
  }
  switch (video.rotation) {
    case 90: add("transpose=clock"); break;
    case 180: add("hflip,vflip"); break;
    case 270: add("transpose=cclock"); break;
    default: break;
  }
  return chain;
}

}  // namespace vodctl
