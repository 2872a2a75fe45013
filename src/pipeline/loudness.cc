#include "pipeline/loudness.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace vodctl {
namespace {

// What the meter reports when no block passed the absolute gate.
constexpr double kSilenceLufs = -70;

// Hundredths of a dB or LU: finer than any meter agrees with another.
double Rounded(double value) { return std::round(value * 100) / 100; }

}  // namespace

std::string LoudnessPlan::FilterChain() const {
  std::string chain = fmt::format("volume=volume={:.4f}dB:precision=float", gain_db);
  if (limit_dbfs) {
    // level=0: no make-up gain of its own; 5 ms look-ahead, 50 ms release (its defaults).
    chain += fmt::format(",alimiter=limit={:.6f}:level=0:latency=1:attack=5:release=50",
                         std::pow(10.0, *limit_dbfs / 20));
  }
  return chain;
}

LoudnessPlan PlanLoudness(const media::Loudness& measured, double target_lufs,
                          double true_peak_dbtp) {
  LoudnessPlan plan;
  if (measured.integrated_lufs <= kSilenceLufs) return plan;
  plan.gain_db = std::min(target_lufs - measured.integrated_lufs, kMaxGainDb);
  const double ceiling = true_peak_dbtp - kCodecHeadroomDb;
  if (measured.true_peak_dbtp + plan.gain_db > ceiling) plan.limit_dbfs = ceiling;
  return plan;
}

nlohmann::json LoudnessJson(const media::Loudness& loudness) {
  return {{"integrated", Rounded(loudness.integrated_lufs)},
          {"range", Rounded(loudness.range_lu)},
          {"true_peak", std::isfinite(loudness.true_peak_dbtp)
                            ? nlohmann::json(Rounded(loudness.true_peak_dbtp))
                            : nlohmann::json()}};
}

nlohmann::json LoudnessRecord(const std::string& rendition, const media::Loudness& input,
                              const LoudnessPlan& plan, const media::Loudness& output) {
  return {{"rendition", rendition},
          {"input", LoudnessJson(input)},
          {"gain_db", Rounded(plan.gain_db)},
          {"limiter", plan.limit_dbfs.has_value()},
          {"output", LoudnessJson(output)}};
}

}  // namespace vodctl
