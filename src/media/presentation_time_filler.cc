#include "media/presentation_time_filler.h"

namespace vodctl::media {

void PresentationTimeFiller::Push(PacketPtr packet) {
  if (!waiting_.empty() && packet->dts != AV_NOPTS_VALUE &&
      waiting_.back()->dts != AV_NOPTS_VALUE && packet->dts > waiting_.back()->dts) {
    last_step_ = packet->dts - waiting_.back()->dts;
  }
  if (packet->pts == AV_NOPTS_VALUE && packet->dts != AV_NOPTS_VALUE) {
    // The next reference picture: the waiting one shows when this one is decoded.
    if (!waiting_.empty()) waiting_.front()->pts = packet->dts;
    Release();
    waiting_.push_back(std::move(packet));
    return;
  }
  if (waiting_.empty()) {
    ready_.push_back(std::move(packet));
  } else {
    waiting_.push_back(std::move(packet));  // decoded after the waiting reference picture
  }
}

void PresentationTimeFiller::Finish() {
  if (waiting_.empty()) return;
  int64_t last_dts = waiting_.front()->dts;
  for (const PacketPtr& packet : waiting_) {
    if (packet->dts != AV_NOPTS_VALUE) last_dts = std::max(last_dts, packet->dts);
  }
  waiting_.front()->pts = last_dts + last_step_;
  Release();
}

void PresentationTimeFiller::Release() {
  for (PacketPtr& packet : waiting_) ready_.push_back(std::move(packet));
  waiting_.clear();
}

PacketPtr PresentationTimeFiller::Pop() {
  if (ready_.empty()) return nullptr;
  PacketPtr packet = std::move(ready_.front());
  ready_.pop_front();
  return packet;
}

}  // namespace vodctl::media
