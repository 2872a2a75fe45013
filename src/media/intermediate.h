// Intermediate files (chunks, encoded renditions, audio) are NUT: it carries nearly any codec
// and keeps each stream's time base exactly. The copy of the source's audio is Matroska
// instead: NUT keeps no block_align, without which WMA does not decode, and reads ALAC back
// as no codec at all, while Matroska holds every audio codec vodctl allows. Its 1 ms clock
// costs audio nothing (media::AudioPlacement tolerates 30 ms). NUT cannot store negative timestamps, yet x264's
// first decode times (B-frame delay) and AAC's first packet (encoder priming) are negative,
// so every timestamp is stored shifted by this fixed amount and shifted back on reading.
// A fixed shift, unlike libavformat's avoid_negative_ts, is the same for every file, so
// chunks and streams never move against each other.
#pragma once

#include <cstdint>

namespace vodctl::media {

inline constexpr char kIntermediateFormat[] = "nut";
inline constexpr char kAudioCopyFormat[] = "matroska";
inline constexpr int64_t kIntermediateOffsetMicroseconds = int64_t{3600} * 1000 * 1000;

}  // namespace vodctl::media
