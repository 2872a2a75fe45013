// How a source's channels make a 5.1 rendition, written out rather than left to
// libswresample's defaults: its default for 7.1 adds each side channel to the back channel at
// full gain and then scales the whole mix down by 6 dB to avoid clipping.
//
// The rendition's layout is kSurroundLayout: AAC's channel configuration 6 (C L R Ls Rs LFE),
// which FFmpeg's AAC encoder writes natively (no PCE) from FL FR FC LFE BL BR, and its
// decoder gives back as such. "Surround" left and right are the back pair in that layout.
#pragma once

extern "C" {
#include <libavutil/channel_layout.h>
}

#include <cstdint>
#include <optional>
#include <vector>

namespace vodctl::media {

inline constexpr uint64_t kSurroundLayoutMask = AV_CH_LAYOUT_5POINT1_BACK;

// The swr_set_matrix() matrix (row per output channel, a column per input channel) for
// `input`, or nothing when libswresample's own mapping is the right one (a layout with
// channels other than FL FR FC LFE, sides and backs, or one that is not in native order):
// front and LFE channels go to themselves; the side pair of 5.1(side) and the back pair of
// 5.1 become the surround pair; with both pairs (7.1), each surround output is the side and
// back inputs at -3 dB each, keeping their summed power.
std::optional<std::vector<double>> SurroundMatrix(const AVChannelLayout& input);

}  // namespace vodctl::media
