// The renditions a job makes and the output frame grid they share. Pure functions of the
// source metadata and job options, so every step and every host derives the same plan.
#pragma once

#include "vodctl/job_options.h"
#include "vodctl/source_info.h"

#include <cstdint>
#include <string>
#include <vector>

namespace vodctl {

struct Rendition {
  std::string name;  // "720p": the folder name in tmp and output
  int width = 0;
  int height = 0;
  int maxrate_kbps = 0;
  int bufsize_kbps = 0;
  bool operator==(const Rendition&) const = default;
};

// The default ladder's rungs and rates, tallest first.
const std::vector<RungSpec>& DefaultLadder();

// Resolves the ladder for a source: the default keeps the rungs at or below the source's
// height (at least one: the source's own height if it is below every rung); a custom ladder
// is used as given (upscaling is the user's explicit choice). Width follows the display
// aspect ratio, rounded to even. Rungs without a rate get one scaled by pixel count. A source
// without video (no picture size) has no renditions.
std::vector<Rendition> ResolveRenditions(const std::vector<RungSpec>& ladder,
                                         const VideoInfo& video);

// The output frame rate: the source's average rate, halved until it is at most 60 fps.
Rational OutputFrameRate(const VideoInfo& video);

// The constant-rate output timeline. Output frame number n ("slot") shows at n / frame_rate
// seconds after the source's first video frame; segments start at every multiple of the
// segment duration on that timeline, so all renditions cut at the same instants.
class Timeline {
 public:
  Timeline(Rational frame_rate, double segment_duration);

  Rational frame_rate() const { return frame_rate_; }
  // The slot nearest to `pts` (in `time_base`), counting from `origin_pts`.
  int64_t SlotAt(int64_t pts, Rational time_base, int64_t origin_pts) const;
  // Which segment a slot falls in.
  int64_t SegmentOf(int64_t slot) const;
  // True when `slot` is the first frame of a segment (a key frame is forced there).
  bool StartsSegment(int64_t slot) const;
  double SecondsAt(int64_t slot) const;

 private:
  Rational frame_rate_;
  int64_t segment_ms_;
};

}  // namespace vodctl
