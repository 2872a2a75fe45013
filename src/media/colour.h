// The colour stage of the picture path: what a source's pictures are (primaries, transfer,
// matrix, range), how a player would read a source that does not say, and the libavfilter
// chain that turns them into what every H.264 rendition is: BT.709, limited range, 8-bit
// 4:2:0, SDR. HDR (PQ, HLG) is tone-mapped on the way.
#pragma once

#include "vodctl/source_info.h"

#include <string>

extern "C" {
#include <libavformat/avformat.h>
}

namespace vodctl::media {

// HDR reference white (BT.2408): what an SDR picture's white becomes in HDR, and so the
// HDR level tone mapping brings back to SDR white.
inline constexpr double kHdrReferenceWhite = 203;  // cd/m²
// The peak assumed where a PQ source states none, and HLG's nominal display peak.
inline constexpr double kDefaultHdrPeak = 1000;  // cd/m²

// A stream's colour description as its codec parameters and side data state it, names as
// FFmpeg spells them; "unknown" (chroma: "unspecified") where the stream says nothing.
ColourInfo ReadColour(const AVStream& stream);

// Whether `colour` is PQ without the light levels tone mapping takes its peak from: HDR10
// files often carry them only in their pictures' SEI, not in the container.
bool LacksHdrLevels(const ColourInfo& colour);
// Fills in the mastering display and content light levels `picture`'s side data states,
// where `colour` has none.
void ReadHdrLevels(const AVFrame& picture, ColourInfo& colour);

// What the colour stage does with a source's pictures.
struct ColourPlan {
  ColourInfo as_read;      // the description with a player's defaults for what is unknown
  bool hdr = false;        // PQ or HLG: tone-mapped
  double peak = 0;         // HDR only: the brightest level tone mapping keeps, cd/m²
  std::string filter;      // the libavfilter chain, empty when the pictures are BT.709 already
  std::string summary;     // one line for `status`: "none", "converted ...", "tone-mapped ..."
};

// `height`: the stored picture's lines, which decide how an untagged source is read
// (BT.601 below 720 lines, BT.709 from 720 up, as players do).
ColourPlan PlanColour(const ColourInfo& source, int height);

}  // namespace vodctl::media
