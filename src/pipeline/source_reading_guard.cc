#include "pipeline/source_reading_guard.h"

#include "vodctl/error.h"

#include <cmath>
#include <utility>

namespace vodctl {

SourceReadingGuard::SourceReadingGuard(const AVFormatContext* format, std::string name,
                                       const SourcePolicy& policy)
    : format_(format), name_(std::move(name)), policy_(policy) {}

void SourceReadingGuard::Check(const AVPacket* packet) {
  ++packets_[packet->stream_index];
  if (packet->flags & AV_PKT_FLAG_CORRUPT) {
    Fail(ExitCode::kDataError, "source '{}' is damaged: stream {} has a corrupt packet at byte {}",
         name_, packet->stream_index, packet->pos);
  }
  const int64_t pts = packet->pts != AV_NOPTS_VALUE ? packet->pts : packet->dts;
  if (pts == AV_NOPTS_VALUE) return;
  const int64_t first = first_pts_.try_emplace(packet->stream_index, pts).first->second;
  const AVRational time_base = format_->streams[packet->stream_index]->time_base;
  policy_.CheckElapsed(name_, std::abs(double(pts) - double(first)) * av_q2d(time_base));
}

void SourceReadingGuard::Finish() const {
  for (const auto& [index, read] : packets_) {
    // The demuxer's own index of the stream: every sample of an MP4, only the key frames
    // (or nothing) of formats that index less, which can then never look short.
    const int listed = avformat_index_get_entries_count(format_->streams[index]);
    if (read < listed) {
      Fail(ExitCode::kDataError,
           "source '{}' is cut short: stream {} ends after {} of the {} packets its index lists",
           name_, index, read, listed);
    }
  }
}

}  // namespace vodctl
