// Loudness normalisation: from a rendition's measured loudness (media::LoudnessMeter) to the
// gain and, only where the gain alone would overshoot the true-peak ceiling, the limiter that
// bring it to the job's target. Pure, so the choice is tested without media.
#pragma once

#include "media/loudness_meter.h"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

namespace vodctl {

struct LoudnessPlan {
  double gain_db = 0;
  // The limiter's sample-peak ceiling in dBFS, when the gain would put the true peak above
  // what the job allows; nothing when the gain alone keeps it below.
  std::optional<double> limit_dbfs;

  // The libavfilter chain that applies it: a float gain, then the look-ahead limiter (with its
  // delay compensated, so the audio stays in place and keeps its length).
  std::string FilterChain() const;
};

// The gain takes `measured` to `target_lufs`, but never more than kMaxGainDb up (a nearly
// silent track is not turned into hiss) and not at all for silence (nothing passed the
// BS.1770 gate). The limiter engages when the measured true peak plus the gain exceeds
// `true_peak_dbtp` less kCodecHeadroomDb, and then limits to that: AAC's quantisation adds to
// the peaks of the PCM it encodes, and the ceiling holds for the decoded output.
LoudnessPlan PlanLoudness(const media::Loudness& measured, double target_lufs,
                          double true_peak_dbtp);

inline constexpr double kMaxGainDb = 30;
inline constexpr double kCodecHeadroomDb = 1;

// {"integrated": LUFS, "range": LU, "true_peak": dBTP (null for digital silence)}
nlohmann::json LoudnessJson(const media::Loudness& loudness);
// What normalising one rendition did, as status --json and vodctl.json show it:
// {"rendition", "input": LoudnessJson, "gain_db", "limiter", "output": LoudnessJson}.
nlohmann::json LoudnessRecord(const std::string& rendition, const media::Loudness& input,
                              const LoudnessPlan& plan, const media::Loudness& output);

}  // namespace vodctl
