#include "media/audio_placement.h"

#include <cmath>

namespace vodctl::media {

AudioPlacement::Placement AudioPlacement::Place(std::optional<double> start) const {
  if (!start) return {};
  // The first frame is placed where it belongs (the origin is position 0); later ones only
  // when their timestamps disagree by more than the tolerance.
  const double drift = *start - position_.value_or(0);
  const double tolerance = position_ ? kToleranceSeconds : 0;
  if (drift > tolerance) return {.silence = drift};
  if (drift < -tolerance) return {.skip = -drift};
  return {};
}

}  // namespace vodctl::media
