#include "media/segment_probe.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <span>
#include <utility>

#include "media/demuxer.h"
#include "media/h264_nal.h"
#include "vodctl/error.h"

namespace vodctl::media {
namespace {

// Segments are small and come whole from storage, so the demuxer reads them from memory.
class MemoryReader : public RandomAccessReader {
 public:
  MemoryReader(std::string bytes, std::string name)
      : bytes_(std::move(bytes)), name_(std::move(name)) {}
  int64_t size() const override { return static_cast<int64_t>(bytes_.size()); }
  size_t ReadAt(int64_t offset, char* buffer, size_t capacity) override {
    if (offset < 0 || static_cast<size_t>(offset) >= bytes_.size()) return 0;
    const size_t count = std::min(capacity, bytes_.size() - static_cast<size_t>(offset));
    std::memcpy(buffer, bytes_.data() + offset, count);
    return count;
  }
  const std::string& name() const override { return name_; }

 private:
  std::string bytes_;
  std::string name_;
};

int ChosenStream(const AVFormatContext* context) {
  int audio = -1;
  for (unsigned i = 0; i < context->nb_streams; ++i) {
    const AVMediaType type = context->streams[i]->codecpar->codec_type;
    if (type == AVMEDIA_TYPE_VIDEO) return static_cast<int>(i);
    if (type == AVMEDIA_TYPE_AUDIO && audio < 0) audio = static_cast<int>(i);
  }
  return audio;
}

}  // namespace

SegmentProbe ProbeSegment(std::string bytes, const std::string& name) {
  Demuxer demuxer(std::make_unique<MemoryReader>(std::move(bytes), name), Demuxer::Kind::kSource);
  const int index = ChosenStream(demuxer.context());
  if (index < 0) Fail(ExitCode::kDataError, "'{}' has neither video nor audio", name);
  const AVStream* stream = demuxer.stream(index);
  const AVCodecParameters* codec = stream->codecpar;
  const double time_base = av_q2d(stream->time_base);

  SegmentProbe probe;
  probe.video = codec->codec_type == AVMEDIA_TYPE_VIDEO;
  probe.h264 = codec->codec_id == AV_CODEC_ID_H264;
  const AVRational rate =
      stream->avg_frame_rate.num > 0 ? stream->avg_frame_rate : stream->r_frame_rate;
  if (probe.video && rate.num > 0 && rate.den > 0) probe.frame_duration = av_q2d(av_inv_q(rate));
  const int length_size =
      NalLengthSize(codec->extradata, static_cast<size_t>(codec->extradata_size));

  int64_t first = std::numeric_limits<int64_t>::max();
  int64_t last = std::numeric_limits<int64_t>::min();
  int64_t last_duration = 0;
  PacketPtr packet = MakePacket();
  while (demuxer.Read(packet.get())) {
    const int64_t pts = packet->pts != AV_NOPTS_VALUE ? packet->pts : packet->dts;
    if (packet->stream_index == index && pts != AV_NOPTS_VALUE) {
      if (probe.packets++ == 0) {
        probe.starts_with_key = packet->flags & AV_PKT_FLAG_KEY;
        if (probe.h264) {
          probe.first_nal_types =
              NalUnitTypes({packet->data, static_cast<size_t>(packet->size)}, length_size);
        }
        if (probe.frame_duration == 0) probe.frame_duration = packet->duration * time_base;
      }
      first = std::min(first, pts);
      if (pts >= last) {
        last = pts;
        last_duration = packet->duration;
      }
    }
    av_packet_unref(packet.get());
  }
  if (probe.packets == 0) Fail(ExitCode::kDataError, "'{}' holds no packets", name);
  probe.start = first * time_base;
  probe.end =
      last * time_base + (last_duration > 0 ? last_duration * time_base : probe.frame_duration);
  return probe;
}

}  // namespace vodctl::media
