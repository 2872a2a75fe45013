#include "media/audio_placement.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

namespace vodctl::media {
namespace {

constexpr double kFrame = 1024.0 / 48000;

}  // namespace

TEST_CASE("AudioPlacement: the first frame is placed exactly", "[audio_placement]") {
  SECTION("a late start is preceded by silence") {
    AudioPlacement placement;
    auto p = placement.Place(1.0);
    CHECK(p.silence == Approx(1.0));
    CHECK(p.skip == 0);
  }
  SECTION("audio before the origin is dropped") {
    AudioPlacement placement;
    auto p = placement.Place(-0.25);
    CHECK(p.silence == 0);
    CHECK(p.skip == Approx(0.25));
  }
  SECTION("even a millisecond counts") {
    AudioPlacement placement;
    CHECK(placement.Place(0.001).silence == Approx(0.001));
  }
}

TEST_CASE("AudioPlacement: later frames follow their timestamps", "[audio_placement]") {
  AudioPlacement placement;
  placement.Place(0.0);
  placement.Advance(kFrame);
  SECTION("contiguous frames, and container rounding, change nothing") {
    CHECK(placement.Place(kFrame).silence == 0);
    CHECK(placement.Place(kFrame).skip == 0);
    CHECK(placement.Place(kFrame + 0.001).silence == 0);  // MKV's 1 ms rounding
    CHECK(placement.Place(kFrame - 0.001).skip == 0);
  }
  SECTION("a gap in the source becomes silence of its length") {
    auto p = placement.Place(kFrame + 0.5);
    CHECK(p.silence == Approx(0.5));
    CHECK(p.skip == 0);
  }
  SECTION("an overlap is dropped") {
    auto p = placement.Place(kFrame - 0.2);
    CHECK(p.silence == 0);
    CHECK(p.skip == Approx(0.2));
  }
  SECTION("a frame without a timestamp follows the one before") {
    auto p = placement.Place(std::nullopt);
    CHECK(p.silence == 0);
    CHECK(p.skip == 0);
  }
}

TEST_CASE("AudioPlacement: drift never builds up past the tolerance", "[audio_placement]") {
  // Timestamps 1% apart from the samples, slow and fast: each frame alone is within the
  // tolerance, their sum is not, and placement corrects it before it gets further.
  for (double stretch : {1.01, 0.99}) {
    AudioPlacement placement;
    double worst = 0;
    for (int n = 0; n < 1000; ++n) {
      const double start = n * kFrame * stretch;
      const AudioPlacement::Placement p = placement.Place(start);
      placement.Advance(p.silence + std::max(0.0, kFrame - p.skip));  // what the frame placed
      worst = std::max(worst, std::abs(start + kFrame - placement.position()));
    }
    CHECK(worst <= AudioPlacement::kToleranceSeconds);
  }
}

}  // namespace vodctl::media
