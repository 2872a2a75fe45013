// Turns a chunk's decoded frames (presentation order, each mapped to its nearest output slot)
// into exactly one frame per slot of [first_slot, end_slot): a frame whose slot was already
// filled is dropped, a skipped slot repeats the frame before it. For a constant-rate source
// every frame lands on its own slot and nothing is dropped or repeated.
#pragma once

#include "media/av_ptr.h"

#include <cstdint>
#include <functional>

namespace vodctl {

class ConstantRateQueue {
 public:
  using Emit = std::function<void(const AVFrame* frame, int64_t slot)>;
  ConstantRateQueue(int64_t first_slot, int64_t end_slot, Emit emit);

  void Push(media::FramePtr frame, int64_t slot);
  // Fills the slots left at the end with the last frame. Returns how many slots were
  // emitted in all; 0 means no frame arrived.
  int64_t Finish();

 private:
  void EmitUpTo(int64_t end, const AVFrame* frame);
  int64_t next_slot_;
  int64_t end_slot_;
  Emit emit_;
  media::FramePtr last_;
  int64_t emitted_ = 0;
};

}  // namespace vodctl
