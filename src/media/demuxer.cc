#include "media/demuxer.h"

#include "media/av_error.h"
#include "media/intermediate.h"

namespace vodctl::media {

Demuxer::Demuxer(const std::string& path, Kind kind) : path_(path), kind_(kind) {
  AVFormatContext* raw = nullptr;
  int ret = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
  if (ret < 0) {
    Fail(ExitCode::kDataError, "cannot read '{}' as media: {}", path, AvErrorText(ret));
  }
  context_.reset(raw);
  CheckAv(avformat_find_stream_info(raw, nullptr), ExitCode::kDataError,
          fmt::format("cannot find streams in '{}'", path));
}

bool Demuxer::Read(AVPacket* packet) {
  if (kind_ == Kind::kSource) return ReadRaw(packet);
  while (true) {
    if (PacketPtr ready = filler_.Pop()) {
      av_packet_move_ref(packet, ready.get());
      return true;
    }
    if (at_end_) return false;
    PacketPtr raw = MakePacket();
    if (ReadRaw(raw.get())) {
      filler_.Push(std::move(raw));
    } else {
      at_end_ = true;
      filler_.Finish();
    }
  }
}

bool Demuxer::ReadRaw(AVPacket* packet) {
  int ret = av_read_frame(context_.get(), packet);
  if (ret == AVERROR_EOF) return false;
  CheckAv(ret, ExitCode::kDataError, fmt::format("reading '{}'", path_));
  if (kind_ == Kind::kIntermediate) {
    int64_t offset = av_rescale_q(kIntermediateOffsetMicroseconds, AV_TIME_BASE_Q,
                                  context_->streams[packet->stream_index]->time_base);
    if (packet->pts != AV_NOPTS_VALUE) packet->pts -= offset;
    if (packet->dts != AV_NOPTS_VALUE) packet->dts -= offset;
  }
  return true;
}

}  // namespace vodctl::media
