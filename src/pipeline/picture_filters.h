// What turns a decoded source picture into the upright, progressive, BT.709 picture the
// renditions are scaled from: a deinterlacer for interlaced sources, the colour stage
// (media/colour.h) for sources in another colour space, a rotation for phone videos.
#pragma once

#include "vodctl/source_info.h"

#include <cstdint>
#include <string>

extern "C" {
#include <libavcodec/codec_par.h>
}

namespace vodctl {

// Degrees clockwise (0, 90, 180 or 270) that a stream's display matrix turns its pictures;
// 0 without one. Angles in between round to the nearest quarter turn.
int RotationFromDisplayMatrix(const int32_t* matrix);

// "progressive", "tff" or "bff", from the field order the demuxer or parser found.
std::string FieldOrderName(AVFieldOrder order);

// The libavfilter chain for a source's pictures, empty when they need none (an upright,
// progressive BT.709 limited-range source goes through no filter at all). bwdif in
// send_frame mode gives one frame per frame, deterministically, and keeps timestamps, so the
// frame-to-slot mapping is unchanged.
std::string PictureFilterChain(const VideoInfo& video);

}  // namespace vodctl
