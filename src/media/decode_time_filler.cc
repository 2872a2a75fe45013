#include "media/decode_time_filler.h"

#include <algorithm>
#include <vector>

namespace vodctl::media {

void DecodeTimeFiller::Push(PacketPtr packet) {
  if (resolved_ && packet->dts != AV_NOPTS_VALUE) {
    ready_.push_back(std::move(packet));
    return;
  }
  waiting_.push_back(std::move(packet));
  std::vector<size_t> known;
  for (size_t i = 0; i < waiting_.size(); ++i) {
    if (waiting_[i]->dts != AV_NOPTS_VALUE) known.push_back(i);
  }
  if (known.size() >= 2) {
    int64_t step = (waiting_[known[1]]->dts - waiting_[known[0]]->dts) /
                   static_cast<int64_t>(known[1] - known[0]);
    Resolve(known[0], step);
  }
}

void DecodeTimeFiller::Finish() {
  if (waiting_.empty()) return;
  // Too few packets to see two decode times: derive them from the presentation times.
  std::vector<int64_t> sorted_pts;
  for (const auto& packet : waiting_) sorted_pts.push_back(packet->pts);
  std::sort(sorted_pts.begin(), sorted_pts.end());
  int64_t step = 1;
  for (size_t i = 1; i < sorted_pts.size(); ++i) {
    if (sorted_pts[i] > sorted_pts[i - 1]) {
      step = sorted_pts[i] - sorted_pts[i - 1];
      break;
    }
  }
  auto first_known = std::find_if(waiting_.begin(), waiting_.end(),
                                  [](const PacketPtr& p) { return p->dts != AV_NOPTS_VALUE; });
  if (first_known != waiting_.end()) {
    Resolve(first_known - waiting_.begin(), step);
    return;
  }
  int64_t delay = static_cast<int64_t>(waiting_.size());
  for (size_t i = 0; i < waiting_.size(); ++i) {
    waiting_[i]->dts = sorted_pts[i] - delay * step;
  }
  Resolve(waiting_.size(), step);
}

void DecodeTimeFiller::Resolve(size_t first_known, int64_t step) {
  for (size_t i = 0; i < first_known && i < waiting_.size(); ++i) {
    if (waiting_[i]->dts == AV_NOPTS_VALUE) {
      waiting_[i]->dts = waiting_[first_known]->dts - static_cast<int64_t>(first_known - i) * step;
    }
  }
  for (auto& packet : waiting_) ready_.push_back(std::move(packet));
  waiting_.clear();
  resolved_ = true;
}

PacketPtr DecodeTimeFiller::Pop() {
  if (ready_.empty()) return nullptr;
  PacketPtr packet = std::move(ready_.front());
  ready_.pop_front();
  return packet;
}

}  // namespace vodctl::media
