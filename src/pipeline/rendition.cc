#include "pipeline/rendition.h"

#include "vodctl/error.h"

extern "C" {
#include <libavutil/mathematics.h>
}

#include <cmath>

namespace vodctl {
namespace {

constexpr int kReferenceHeight = 720;
constexpr int kReferenceWidth = 1280;
constexpr int kReferenceRateKbps = 3000;

int RoundToEven(double value) { return std::max(2, 2 * static_cast<int>(std::lround(value / 2))); }

int DefaultRateFor(int width, int height) {
  for (const RungSpec& rung : DefaultLadder()) {
    if (rung.height == height) return *rung.maxrate_kbps;
  }
  double pixels = static_cast<double>(width) * height;
  return static_cast<int>(std::lround(kReferenceRateKbps * pixels /
                                      (kReferenceWidth * kReferenceHeight)));
}

Rendition MakeRendition(int height, std::optional<int> maxrate_kbps, double display_aspect) {
  Rendition r;
  r.height = height;
  r.width = RoundToEven(height * display_aspect);
  r.name = fmt::format("{}p", height);
  r.maxrate_kbps = maxrate_kbps.value_or(DefaultRateFor(r.width, r.height));
  r.bufsize_kbps = 2 * r.maxrate_kbps;
  return r;
}

}  // namespace

// A 4K or 1440p upload keeps its detail: 2160p and 1440p above the HD rungs, at rates in
// the spirit of Apple's HLS authoring ladder (H.264 needs about 1.4 times its HEVC rates).
const std::vector<RungSpec>& DefaultLadder() {
  static const std::vector<RungSpec> ladder = {
      {2160, 16000}, {1440, 9000}, {1080, 5000}, {720, 3000}, {480, 1500}, {360, 800}};
  return ladder;
}

std::vector<Rendition> ResolveRenditions(const std::vector<RungSpec>& ladder,
                                         const VideoInfo& video) {
  double aspect = video.display_aspect();
  std::vector<Rendition> renditions;
  if (video.width <= 0 || video.height <= 0) return renditions;  // an audio-only source
  if (!ladder.empty()) {
    for (const RungSpec& rung : ladder) {
      renditions.push_back(MakeRendition(rung.height, rung.maxrate_kbps, aspect));
    }
    return renditions;
  }
  for (const RungSpec& rung : DefaultLadder()) {
    if (rung.height <= video.display_height()) {
      renditions.push_back(MakeRendition(rung.height, rung.maxrate_kbps, aspect));
    }
  }
  if (renditions.empty()) {
    renditions.push_back(MakeRendition(RoundToEven(video.display_height()), std::nullopt, aspect));
  }
  return renditions;
}

Rational OutputFrameRate(const VideoInfo& video) {
  Rational rate = video.frame_rate;
  if (rate.num <= 0 || rate.den <= 0) rate = {25, 1};
  while (rate.value() > 60.0 + 1e-9) {
    if (rate.num % 2 == 0) {
      rate.num /= 2;
    } else {
      rate.den *= 2;
    }
  }
  return rate;
}

Timeline::Timeline(Rational frame_rate, double segment_duration)
    : frame_rate_(frame_rate), segment_ms_(std::llround(segment_duration * 1000)) {
  if (frame_rate.num <= 0 || frame_rate.den <= 0 || segment_ms_ <= 0) {
    Fail(ExitCode::kSoftware, "bad timeline: {}/{} fps, {} s segments", frame_rate.num,
         frame_rate.den, segment_duration);
  }
}

int64_t Timeline::SlotAt(int64_t pts, Rational time_base, int64_t origin_pts) const {
  AVRational from{time_base.num, time_base.den};
  AVRational to{frame_rate_.den, frame_rate_.num};
  return av_rescale_q_rnd(pts - origin_pts, from, to,
                          static_cast<AVRounding>(AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX));
}

int64_t Timeline::SegmentOf(int64_t slot) const {
  // slot / fps / segment_seconds, exactly: slot * den * 1000 / (num * segment_ms). In 64 bits
  // this holds for any slot below 9e12 (a denominator of 1001): millions of hours of video.
  const int64_t numerator = slot * frame_rate_.den * 1000;
  const int64_t denominator = int64_t{frame_rate_.num} * segment_ms_;
  int64_t quotient = numerator / denominator;
  if (numerator % denominator != 0 && numerator < 0) --quotient;  // floor, not truncate
  return quotient;
}

bool Timeline::StartsSegment(int64_t slot) const {
  return SegmentOf(slot) != SegmentOf(slot - 1);
}

double Timeline::SecondsAt(int64_t slot) const {
  return static_cast<double>(slot) * frame_rate_.den / frame_rate_.num;
}

}  // namespace vodctl
