#include "media/decoder.h"

#include "media/av_error.h"

namespace vodctl::media {

Decoder::Decoder(const AVStream* stream, std::string what) : what_(std::move(what)) {
  const AVCodec* codec = avcodec_find_decoder(stream->codecpar->codec_id);
  if (!codec) {
    Fail(ExitCode::kDataError, "{}: no decoder for codec '{}'", what_,
         avcodec_get_name(stream->codecpar->codec_id));
  }
  context_.reset(avcodec_alloc_context3(codec));
  if (!context_) throw std::bad_alloc();
  CheckAv(avcodec_parameters_to_context(context_.get(), stream->codecpar), ExitCode::kDataError,
          what_);
  context_->pkt_timebase = stream->time_base;
  // One thread. A frame-threaded decoder made chunk encodes vary from run to run when several
  // renditions were encoded in the same process (seen with 720p+480p, not reproduced by
  // ffmpeg's CLI, not explained by valgrind); byte-identical output matters more than the
  // decode speed, and chunks running side by side keep the cores busy.
  context_->thread_count = 1;
  CheckAv(avcodec_open2(context_.get(), codec, nullptr), ExitCode::kDataError,
          fmt::format("{}: opening the decoder", what_));
}

void Decoder::Send(const AVPacket* packet) {
  int ret = avcodec_send_packet(context_.get(), packet);
  if (ret == AVERROR_EOF) return;  // already draining
  if (ret == AVERROR_INVALIDDATA) {
    Fail(ExitCode::kDataError, "{}: the source is damaged: {}", what_, AvErrorText(ret));
  }
  CheckAv(ret, ExitCode::kDataError, fmt::format("{}: decoding", what_));
}

bool Decoder::Receive(AVFrame* frame) {
  int ret = avcodec_receive_frame(context_.get(), frame);
  if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return false;
  CheckAv(ret, ExitCode::kDataError, fmt::format("{}: decoding", what_));
  return true;
}

void Decoder::CheckIntact(const AVFrame* frame) const {
  if (frame->decode_error_flags || (frame->flags & AV_FRAME_FLAG_CORRUPT)) {
    Fail(ExitCode::kDataError, "{}: the source is damaged: the picture at {:.3f} s does not decode cleanly",
         what_, frame->pts * av_q2d(context_->pkt_timebase));
  }
}

}  // namespace vodctl::media
