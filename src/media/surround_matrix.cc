#include "media/surround_matrix.h"

#include <cmath>

namespace vodctl::media {

std::optional<std::vector<double>> SurroundMatrix(const AVChannelLayout& input) {
  if (input.order != AV_CHANNEL_ORDER_NATIVE) return std::nullopt;
  constexpr uint64_t kMapped = AV_CH_FRONT_LEFT | AV_CH_FRONT_RIGHT | AV_CH_FRONT_CENTER |
                               AV_CH_LOW_FREQUENCY | AV_CH_SIDE_LEFT | AV_CH_SIDE_RIGHT |
                               AV_CH_BACK_LEFT | AV_CH_BACK_RIGHT;
  const uint64_t mask = input.u.mask;
  if (mask & ~kMapped) return std::nullopt;
  AVChannelLayout output{};
  av_channel_layout_from_mask(&output, kSurroundLayoutMask);
  const bool sides = mask & AV_CH_SIDE_LEFT;
  const bool backs = mask & AV_CH_BACK_LEFT;
  const double surround_gain = sides && backs ? 1 / std::sqrt(2.0) : 1.0;
  const int inputs = input.nb_channels;
  std::vector<double> matrix(static_cast<size_t>(output.nb_channels * inputs), 0.0);
  for (int i = 0; i < inputs; ++i) {
    AVChannel channel = av_channel_layout_channel_from_index(&input, static_cast<unsigned>(i));
    double gain = 1.0;
    if (channel == AV_CHAN_BACK_LEFT || channel == AV_CHAN_BACK_RIGHT ||
        channel == AV_CHAN_SIDE_LEFT || channel == AV_CHAN_SIDE_RIGHT) {
      gain = surround_gain;
      if (channel == AV_CHAN_SIDE_LEFT) channel = AV_CHAN_BACK_LEFT;
      if (channel == AV_CHAN_SIDE_RIGHT) channel = AV_CHAN_BACK_RIGHT;
    }
    const int o = av_channel_layout_index_from_channel(&output, channel);
    matrix[static_cast<size_t>(o * inputs + i)] = gain;
  }
  return matrix;
}

}  // namespace vodctl::media
