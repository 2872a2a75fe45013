// Where decoded audio goes on the output timeline. Audio follows its source's timestamps:
// samples are laid end to end while the timestamps agree with that (within a tolerance that
// absorbs container rounding), a gap in the source becomes silence of the same length, and
// audio that overlaps what was already placed is dropped. So sound stays with its picture
// anywhere in the file, however many packets a recording lost.
//
// The output timeline starts at the presentation's origin (time 0) and, when it has an end,
// stops there: the first frame is placed exactly (silence before a late start, dropped
// samples before the origin), and nothing is kept past the end.
#pragma once

#include <optional>

namespace vodctl::media {

class AudioPlacement {
 public:
  // Largest disagreement between a frame's timestamp and the end of what was placed that is
  // not corrected: MKV rounds timestamps to 1 ms, and a correction is an audible click.
  static constexpr double kToleranceSeconds = 0.03;

  // What to do before feeding a frame: put `silence` seconds first, or drop its first `skip`
  // seconds (at most one of them is non-zero).
  struct Placement {
    double silence = 0;
    double skip = 0;
  };

  // `start`: the frame's first sample on the output timeline in seconds, nullopt when the
  // source gave it no timestamp (it then follows what came before).
  Placement Place(std::optional<double> start) const;
  // Records that `seconds` of audio (silence or samples) were fed after the last placement.
  void Advance(double seconds) { position_ = position_.value_or(0) + seconds; }
  // The end of what was placed so far, in seconds from the origin.
  double position() const { return position_.value_or(0); }

 private:
  std::optional<double> position_;  // unset until the first frame is placed
};

}  // namespace vodctl::media
