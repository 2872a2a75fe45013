// NUT stores presentation times only. Its demuxer rebuilds decode times from them, but the
// first `decode_delay` packets of a file (two for x264 with B-pyramids) come without one.
// This gives those packets the decode times an encoder would have given them: counted back
// from the first known decode time, one frame duration apart, the frame duration being the
// step between the first two known decode times.
#pragma once

#include "media/av_ptr.h"

#include <deque>

namespace vodctl::media {

class DecodeTimeFiller {
 public:
  // Packets in file order.
  void Push(PacketPtr packet);
  // End of stream: decode times for whatever is still waiting.
  void Finish();
  // The next packet whose decode time is known, or nullptr.
  PacketPtr Pop();

 private:
  void Resolve(size_t first_known, int64_t step);

  std::deque<PacketPtr> waiting_;
  std::deque<PacketPtr> ready_;
  bool resolved_ = false;  // once the leading packets are filled, the rest pass through
};

}  // namespace vodctl::media
