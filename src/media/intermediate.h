// Intermediate files (chunks, encoded renditions, audio) are NUT: it carries nearly any codec
// and keeps each stream's time base exactly. Not quite all: it keeps no block_align, without
// which WMA does not decode, and reads ALAC back as no codec at all. A copy of the source's
// audio holding those is Matroska instead (its 1 ms clock costs audio nothing:
// media::AudioPlacement tolerates 30 ms); Matroska in turn cannot start a file with ADTS AAC
// (an MPEG-TS's), whose decoder configuration it needs in its header, so it is not used
// for everything. NUT cannot store negative timestamps, yet x264's
// first decode times (B-frame delay) and AAC's first packet (encoder priming) are negative,
// so every timestamp is stored shifted by this fixed amount and shifted back on reading.
// A fixed shift, unlike libavformat's avoid_negative_ts, is the same for every file, so
// chunks and streams never move against each other.
#pragma once

#include <cstdint>

extern "C" {
#include <libavcodec/codec_id.h>
}

namespace vodctl::media {

inline constexpr char kIntermediateFormat[] = "nut";
inline constexpr char kAudioCopyFormat[] = "matroska";  // for what NUT cannot carry

// Whether NUT can carry a stream of `codec` copied from a source.
inline bool NutCarries(AVCodecID codec) {
  return codec != AV_CODEC_ID_WMAV1 && codec != AV_CODEC_ID_WMAV2 && codec != AV_CODEC_ID_ALAC;
}
inline constexpr int64_t kIntermediateOffsetMicroseconds = int64_t{3600} * 1000 * 1000;

}  // namespace vodctl::media
