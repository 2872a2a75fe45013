// NAL unit types in an H.264 access unit, to tell an IDR picture from a key frame that is
// only a recovery point (an I slice without IDR lets earlier frames be referenced).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace vodctl::media {

constexpr int kNalIdrSlice = 5;

// `length_size`: bytes of each NAL unit's length prefix (AVCC, as in MP4: from the avcC
// record), or 0 for Annex B start codes (as in MPEG-TS). A truncated unit ends the list.
std::vector<int> NalUnitTypes(std::span<const uint8_t> access_unit, int length_size);

// The NAL length size an H.264 stream's extradata says its packets use: from an avcC record,
// or 0 when the extradata is Annex B or absent.
int NalLengthSize(const uint8_t* extradata, size_t size);

}  // namespace vodctl::media
