// An AVI stores no presentation times, only the order of decoding. For MPEG-4 Part 2 (Xvid,
// DivX) or MPEG-1/2 with B-frames, libavformat can then time the B-frames (each shows as it
// is decoded) but not the reference pictures (I and P), whose packets come without a pts.
// A reference picture shows once the B-frames after it in decode order have shown, which is
// when the next reference picture is decoded: its presentation time is the next reference's
// decode time, and the last one's the last decode time plus one frame. That is the one-deep
// reordering of these codecs, exactly; this fills it in so that the packets can be cut and
// copied like any others.
#pragma once

#include "media/av_ptr.h"

#include <deque>

namespace vodctl::media {

class PresentationTimeFiller {
 public:
  // Packets of one video stream, in file (decode) order, each with a decode time.
  void Push(PacketPtr packet);
  // End of stream: times for whatever is still waiting.
  void Finish();
  // The next packet, in decode order, whose presentation time is known, or nullptr.
  PacketPtr Pop();

 private:
  void Release();

  std::deque<PacketPtr> waiting_;  // a reference picture without a time, and what follows it
  std::deque<PacketPtr> ready_;
  int64_t last_step_ = 1;  // between the last two decode times, for the final picture
};

}  // namespace vodctl::media
