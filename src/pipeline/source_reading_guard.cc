#include "pipeline/source_reading_guard.h"

#include "vodctl/error.h"

#include <algorithm>
#include <cmath>
#include <string_view>
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
  last_seconds_ = std::max(last_seconds_, double(pts) * av_q2d(time_base));
  policy_.CheckElapsed(name_, std::abs(double(pts) - double(first)) * av_q2d(time_base));
}

namespace {

// Whether the demuxer's index of a stream lists every packet the file holds, read from a
// table the muxer wrote before or after the media: an MP4/QuickTime sample table, an AVI
// idx1. Other demuxers build their index from what they meet while probing and reading
// (FLV, Matroska cues, MPEG-TS), which can count one packet twice; a stream short of such
// an index is no sign of a cut.
bool IndexListsEveryPacket(const AVInputFormat* format) {
  const std::string_view name = format->name;
  return name.starts_with("mov,") || name == "avi";
}

}  // namespace

void SourceReadingGuard::Finish() const {
  CheckDeclaredDuration();
  if (!IndexListsEveryPacket(format_->iformat)) return;
  for (const auto& [index, read] : packets_) {
    const int listed = avformat_index_get_entries_count(format_->streams[index]);
    if (read < listed) {
      Fail(ExitCode::kDataError,
           "source '{}' is cut short: stream {} ends after {} of the {} packets its index lists",
           name_, index, read, listed);
    }
  }
}

// A container that states its length in a header (Matroska's Info, FLV's onMetaData, an AVI
// or MP4 header) and whose packets stop well short of it lost its end. MPEG-TS and PS state
// nothing (FFmpeg estimates their length from the last timestamps), so there is nothing to
// hold them to. The margin leaves room for streams vodctl does not read (a subtitle track
// running on) and for rounding in the header: 0.5 s or 5%, whichever is more.
void SourceReadingGuard::CheckDeclaredDuration() const {
  if (format_->duration_estimation_method != AVFMT_DURATION_FROM_STREAM) return;
  if (format_->duration <= 0 || packets_.empty()) return;
  const double declared = format_->duration / double(AV_TIME_BASE);
  const double start = format_->start_time != AV_NOPTS_VALUE
                           ? format_->start_time / double(AV_TIME_BASE) : 0;
  const double read = last_seconds_ - start;
  constexpr double kMarginShare = 0.05;
  constexpr double kMarginSeconds = 0.5;
  if (read < declared - std::max(kMarginSeconds, kMarginShare * declared)) {
    Fail(ExitCode::kDataError,
         "source '{}' is cut short: its header says {:.3f} s but its media ends at {:.3f} s",
         name_, declared, read);
  }
}

}  // namespace vodctl
