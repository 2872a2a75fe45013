#include "pipeline/constant_rate_queue.h"

namespace vodctl {

ConstantRateQueue::ConstantRateQueue(int64_t first_slot, int64_t end_slot, Emit emit)
    : next_slot_(first_slot), end_slot_(end_slot), emit_(std::move(emit)) {}

void ConstantRateQueue::Push(media::FramePtr frame, int64_t slot) {
  if (slot >= end_slot_) return;  // shows in the next chunk's time
  if (slot >= next_slot_) {
    // Slots between the previous frame and this one keep showing the previous frame.
    EmitUpTo(slot, last_ ? last_.get() : frame.get());
    EmitUpTo(slot + 1, frame.get());
  }
  last_ = std::move(frame);
}

int64_t ConstantRateQueue::Finish() {
  if (last_) EmitUpTo(end_slot_, last_.get());
  return emitted_;
}

void ConstantRateQueue::EmitUpTo(int64_t end, const AVFrame* frame) {
  for (; next_slot_ < end; ++next_slot_, ++emitted_) emit_(frame, next_slot_);
}

}  // namespace vodctl
