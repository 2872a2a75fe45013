#include "media/loudness_meter.h"

extern "C" {
#include <libavutil/dict.h>
}

#include <cmath>
#include <cstdlib>

namespace vodctl::media {
namespace {

// The ebur128 filter's running figures ride on each frame it passes on, each covering the
// whole programme so far: lavfi.r128.I (LUFS), .LRA (LU), .true_peak (linear, the maximum over
// every channel and every sample so far).
double Figure(const AVFrame* frame, const char* key, double otherwise) {
  const AVDictionaryEntry* entry = av_dict_get(frame->metadata, key, nullptr, 0);
  return entry ? std::strtod(entry->value, nullptr) : otherwise;
}

}  // namespace

LoudnessMeter::LoudnessMeter(int sample_rate, const AVChannelLayout& layout, std::string what)
    : filter_("ebur128=peak=true:metadata=1", sample_rate, layout, std::nullopt,
              std::move(what)),
      out_(MakeFrame()),
      latest_{-70, 0, -INFINITY} {}

void LoudnessMeter::Add(const AVFrame* frame) {
  filter_.Send(frame);
  Drain();
}

Loudness LoudnessMeter::Finish() {
  filter_.Send(nullptr);
  Drain();
  return latest_;
}

void LoudnessMeter::Drain() {
  while (filter_.Receive(out_.get())) {
    latest_.integrated_lufs = Figure(out_.get(), "lavfi.r128.I", latest_.integrated_lufs);
    latest_.range_lu = Figure(out_.get(), "lavfi.r128.LRA", latest_.range_lu);
    const double peak = Figure(out_.get(), "lavfi.r128.true_peak", 0);
    if (peak > 0) latest_.true_peak_dbtp = 20 * std::log10(peak);
    av_frame_unref(out_.get());
  }
}

}  // namespace vodctl::media
