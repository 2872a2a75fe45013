// Measures a programme's loudness as ITU-R BS.1770-4 and EBU R128 define it (K-weighting,
// 400 ms blocks gated at -70 LUFS absolute and -10 LU relative, loudness range from 3 s
// short-term values, true peak from 4x oversampling), with libavfilter's ebur128 filter: the
// meter that FFmpeg users and our tests read loudness with.
#pragma once

#include "media/audio_filter.h"

#include <string>

namespace vodctl::media {

struct Loudness {
  double integrated_lufs = 0;  // -70 when nothing passes the absolute gate (silence)
  double range_lu = 0;
  double true_peak_dbtp = 0;   // -inf for digital silence
};

class LoudnessMeter {
 public:
  LoudnessMeter(int sample_rate, const AVChannelLayout& layout, std::string what);
  void Add(const AVFrame* frame);  // planar float at the rate and layout given
  // The programme's figures: call once, after the last Add.
  Loudness Finish();

 private:
  void Drain();

  AudioFilter filter_;
  FramePtr out_;
  Loudness latest_;  // as of the last frame out of the meter
};

}  // namespace vodctl::media
