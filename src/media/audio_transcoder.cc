#include "media/audio_transcoder.h"

#include "media/av_error.h"

extern "C" {
#include <libavutil/opt.h>
}

#include <cmath>

namespace vodctl::media {
namespace {
constexpr int kOutputRate = kAudioSampleRate;
}  // namespace

AudioTranscoder::AudioTranscoder(const AVStream* stream, double origin_seconds, Muxer* muxer,
                                 std::string what)
    : what_(std::move(what)),
      origin_seconds_(origin_seconds),
      stream_time_base_(stream->time_base),
      decoder_(stream, what_),
      encoder_(Encoder::Aac(what_)),
      muxer_(muxer),
      output_stream_(muxer->AddStream(encoder_.context())),
      decoded_(MakeFrame()),
      to_encode_(MakeFrame()),
      encoded_(MakePacket()) {
  fifo_.reset(av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, 2, encoder_.context()->frame_size));
  if (!fifo_) throw std::bad_alloc();
}

void AudioTranscoder::Write(const AVPacket* packet) {
  decoder_.Send(packet);
  while (decoder_.Receive(decoded_.get())) {
    Resample(decoded_.get());
    av_frame_unref(decoded_.get());
  }
  EncodeFromFifo(false);
}

void AudioTranscoder::Finish() {
  decoder_.Send(nullptr);
  while (decoder_.Receive(decoded_.get())) {
    Resample(decoded_.get());
    av_frame_unref(decoded_.get());
  }
  Resample(nullptr);  // what the resampler still holds
  EncodeFromFifo(true);
  encoder_.Send(nullptr);
  WriteEncoded();
}

void AudioTranscoder::Resample(const AVFrame* frame) {
  if (!resampler_) {
    if (!frame) return;  // no audio was ever decoded
    SwrContext* swr = nullptr;
    AVChannelLayout out_layout = AV_CHANNEL_LAYOUT_STEREO;
    AVChannelLayout in_layout = frame->ch_layout;  // the API takes it non-const
    CheckAv(swr_alloc_set_opts2(&swr, &out_layout, AV_SAMPLE_FMT_FLTP, kOutputRate,
                                &in_layout, static_cast<AVSampleFormat>(frame->format),
                                frame->sample_rate, 0, nullptr),
            ExitCode::kDataError, fmt::format("{}: audio layout", what_));
    resampler_.reset(swr);
    CheckAv(swr_init(swr), ExitCode::kDataError, fmt::format("{}: resampler", what_));
    int64_t pts = frame->best_effort_timestamp != AV_NOPTS_VALUE ? frame->best_effort_timestamp : 0;
    double start = pts * av_q2d(stream_time_base_) - origin_seconds_;
    next_sample_ = std::llround(start * kOutputRate);
  }
  int in_samples = frame ? frame->nb_samples : 0;
  int capacity = swr_get_out_samples(resampler_.get(), in_samples);
  if (capacity <= 0) return;
  FramePtr out = MakeFrame();
  out->format = AV_SAMPLE_FMT_FLTP;
  out->ch_layout = AV_CHANNEL_LAYOUT_STEREO;
  out->sample_rate = kOutputRate;
  out->nb_samples = capacity;
  CheckAv(av_frame_get_buffer(out.get(), 0), ExitCode::kSoftware, what_);
  int converted = CheckAv(
      swr_convert(resampler_.get(), out->data, capacity,
                  frame ? const_cast<const uint8_t**>(frame->extended_data) : nullptr, in_samples),
      ExitCode::kDataError, fmt::format("{}: resampling", what_));
  int offset = 0;
  // Samples before the first video frame have no picture to go with: drop them.
  if (*next_sample_ < 0) {
    offset = static_cast<int>(std::min<int64_t>(-*next_sample_, converted));
    *next_sample_ += offset;
  }
  if (converted > offset) {
    void* planes[2] = {out->data[0] + offset * sizeof(float), out->data[1] + offset * sizeof(float)};
    av_audio_fifo_write(fifo_.get(), planes, converted - offset);
  }
}

void AudioTranscoder::EncodeFromFifo(bool drain) {
  const int frame_size = encoder_.context()->frame_size;
  while (av_audio_fifo_size(fifo_.get()) >= frame_size ||
         (drain && av_audio_fifo_size(fifo_.get()) > 0)) {
    int samples = std::min(frame_size, av_audio_fifo_size(fifo_.get()));
    av_frame_unref(to_encode_.get());
    to_encode_->format = AV_SAMPLE_FMT_FLTP;
    to_encode_->ch_layout = AV_CHANNEL_LAYOUT_STEREO;
    to_encode_->sample_rate = kOutputRate;
    to_encode_->nb_samples = samples;
    CheckAv(av_frame_get_buffer(to_encode_.get(), 0), ExitCode::kSoftware, what_);
    av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(to_encode_->data), samples);
    to_encode_->pts = *next_sample_;
    *next_sample_ += samples;
    encoder_.Send(to_encode_.get());
    WriteEncoded();
  }
}

void AudioTranscoder::WriteEncoded() {
  while (encoder_.Receive(encoded_.get())) {
    muxer_->Write(encoded_.get(), output_stream_, encoder_.context()->time_base);
    av_packet_unref(encoded_.get());
  }
}

}  // namespace vodctl::media
