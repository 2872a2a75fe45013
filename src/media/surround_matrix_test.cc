#include "media/surround_matrix.h"

#include <catch2/catch.hpp>

#include <cmath>

namespace vodctl::media {
namespace {

// Output rows in the rendition's order: FL FR FC LFE BL BR.
double Gain(const std::vector<double>& matrix, int inputs, int output, int input) {
  return matrix[static_cast<size_t>(output * inputs + input)];
}

TEST_CASE("5.1 with side or with back channels lands on the rendition's channels at full gain") {
  for (const uint64_t mask : {AV_CH_LAYOUT_5POINT1, AV_CH_LAYOUT_5POINT1_BACK}) {
    AVChannelLayout layout{};
    REQUIRE(av_channel_layout_from_mask(&layout, mask) == 0);
    auto matrix = SurroundMatrix(layout);
    REQUIRE(matrix);
    // Both layouts list FL FR FC LFE first, then the surround pair.
    for (int channel = 0; channel < 6; ++channel) {
      for (int input = 0; input < 6; ++input) {
        CHECK(Gain(*matrix, 6, channel, input) == (channel == input ? 1.0 : 0.0));
      }
    }
  }
}

TEST_CASE("7.1 folds its side and back pairs into the surround pair at -3 dB each") {
  const AVChannelLayout layout = AV_CHANNEL_LAYOUT_7POINT1;  // FL FR FC LFE BL BR SL SR
  auto matrix = SurroundMatrix(layout);
  REQUIRE(matrix);
  const double half_power = 1 / std::sqrt(2.0);
  CHECK(Gain(*matrix, 8, 0, 0) == 1.0);
  CHECK(Gain(*matrix, 8, 3, 3) == 1.0);
  CHECK(Gain(*matrix, 8, 4, 4) == Approx(half_power));  // BL <- BL
  CHECK(Gain(*matrix, 8, 4, 6) == Approx(half_power));  // BL <- SL
  CHECK(Gain(*matrix, 8, 5, 5) == Approx(half_power));  // BR <- BR
  CHECK(Gain(*matrix, 8, 5, 7) == Approx(half_power));  // BR <- SR
  CHECK(Gain(*matrix, 8, 4, 5) == 0.0);
}

TEST_CASE("layouts with other channels are left to libswresample") {
  const AVChannelLayout wide = AV_CHANNEL_LAYOUT_7POINT1_WIDE;  // front centre pair
  CHECK_FALSE(SurroundMatrix(wide));
  AVChannelLayout unspecified{};
  unspecified.order = AV_CHANNEL_ORDER_UNSPEC;
  unspecified.nb_channels = 6;
  CHECK_FALSE(SurroundMatrix(unspecified));
}

}  // namespace
}  // namespace vodctl::media
