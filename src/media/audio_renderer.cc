#include "media/audio_renderer.h"

#include "media/av_error.h"
#include "media/encoder.h"
#include "media/surround_matrix.h"

extern "C" {
#include <libavutil/opt.h>
#include <libavutil/samplefmt.h>
}

#include <algorithm>
#include <cmath>
#include <vector>

namespace vodctl::media {
namespace {

constexpr int kOutputRate = kAudioSampleRate;
// Silence is made in pieces of at most this many seconds, so a long gap needs no long buffer.
constexpr int kSilencePieceSeconds = 1;
// The fifo grows as needed; this is only its first allocation.
constexpr int kFifoSamples = 4096;

}  // namespace

AudioRenderer::AudioRenderer(AVRational stream_time_base, Span span,
                             const AVChannelLayout& layout, std::string what)
    : what_(std::move(what)), span_(span), stream_time_base_(stream_time_base) {
  CheckAv(av_channel_layout_copy(&output_layout_, &layout), ExitCode::kSoftware, what_);
  fifo_.reset(av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, output_layout_.nb_channels, kFifoSamples));
  if (!fifo_) throw std::bad_alloc();
}

AudioRenderer::~AudioRenderer() {
  av_channel_layout_uninit(&input_layout_);
  av_channel_layout_uninit(&output_layout_);
}

void AudioRenderer::Finish() {
  if (resampler_) Resample(nullptr, 0);  // what the resampler still holds
  PadToEnd();
  finished_ = true;
}

bool AudioRenderer::Take(int samples, AVFrame* frame) {
  const int buffered = av_audio_fifo_size(fifo_.get());
  if (buffered == 0 || (buffered < samples && !finished_)) return false;
  samples = std::min(samples, buffered);
  av_frame_unref(frame);
  frame->format = AV_SAMPLE_FMT_FLTP;
  CheckAv(av_channel_layout_copy(&frame->ch_layout, &output_layout_), ExitCode::kSoftware, what_);
  frame->sample_rate = kOutputRate;
  frame->nb_samples = samples;
  CheckAv(av_frame_get_buffer(frame, 0), ExitCode::kSoftware, what_);
  av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(frame->data), samples);
  frame->pts = samples_taken_;
  samples_taken_ += samples;
  return true;
}

void AudioRenderer::Add(const AVFrame* frame) {
  if (span_.length && placement_.position() >= *span_.length) return;  // past the end
  UseResamplerFor(frame);
  std::optional<double> start;
  if (frame->best_effort_timestamp != AV_NOPTS_VALUE) {
    start = frame->best_effort_timestamp * av_q2d(stream_time_base_) - span_.origin;
  }
  const AudioPlacement::Placement placement = placement_.Place(start);
  if (placement.silence > 0) FeedSilence(placement.silence);
  const int skip = static_cast<int>(
      std::min<int64_t>(frame->nb_samples, std::llround(placement.skip * input_rate_)));
  const int kept = frame->nb_samples - skip;
  if (kept > 0) {
    // The first sample kept, in every plane (one plane holds all channels when packed).
    const int planes = av_sample_fmt_is_planar(input_format_) ? frame->ch_layout.nb_channels : 1;
    const int offset = skip * av_get_bytes_per_sample(input_format_) *
                       (planes == 1 ? frame->ch_layout.nb_channels : 1);
    std::vector<const uint8_t*> input(planes);
    for (int p = 0; p < planes; ++p) input[p] = frame->extended_data[p] + offset;
    Resample(input.data(), kept);
  }
  placement_.Advance(kept / double(input_rate_));
}

void AudioRenderer::UseResamplerFor(const AVFrame* frame) {
  AVChannelLayout layout{};
  if (frame->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) {
    av_channel_layout_default(&layout, frame->ch_layout.nb_channels);  // as players read it
  } else {
    CheckAv(av_channel_layout_copy(&layout, &frame->ch_layout), ExitCode::kSoftware, what_);
  }
  const auto format = static_cast<AVSampleFormat>(frame->format);
  if (resampler_ && format == input_format_ && frame->sample_rate == input_rate_ &&
      av_channel_layout_compare(&layout, &input_layout_) == 0) {
    av_channel_layout_uninit(&layout);
    return;
  }
  if (resampler_) Resample(nullptr, 0);  // the old format's last samples come first
  av_channel_layout_uninit(&input_layout_);
  input_layout_ = layout;  // owned from here on
  input_format_ = format;
  input_rate_ = frame->sample_rate;
  if (input_rate_ <= 0) Fail(ExitCode::kDataError, "{}: audio without a sample rate", what_);
  SwrContext* swr = nullptr;
  CheckAv(swr_alloc_set_opts2(&swr, &output_layout_, AV_SAMPLE_FMT_FLTP, kOutputRate,
                              &input_layout_, input_format_, input_rate_, 0, nullptr),
          ExitCode::kDataError, fmt::format("{}: audio layout", what_));
  resampler_.reset(swr);
  if (output_layout_.nb_channels == 6) {
    if (std::optional<std::vector<double>> matrix = SurroundMatrix(input_layout_)) {
      CheckAv(swr_set_matrix(swr, matrix->data(), input_layout_.nb_channels), ExitCode::kSoftware,
              fmt::format("{}: surround mapping", what_));
    }
  }
  CheckAv(swr_init(swr), ExitCode::kDataError, fmt::format("{}: resampler", what_));
}

void AudioRenderer::FeedSilence(double seconds) {
  if (span_.length) seconds = std::min(seconds, *span_.length - placement_.position());
  int64_t remaining = std::llround(seconds * input_rate_);
  if (remaining <= 0) return;
  const int channels = input_layout_.nb_channels;
  const int piece = input_rate_ * kSilencePieceSeconds;
  std::vector<uint8_t*> planes(std::max(1, channels));
  CheckAv(av_samples_alloc(planes.data(), nullptr, channels, piece, input_format_, 0),
          ExitCode::kSoftware, what_);
  av_samples_set_silence(planes.data(), 0, piece, channels, input_format_);
  while (remaining > 0) {
    const int samples = static_cast<int>(std::min<int64_t>(remaining, piece));
    Resample(planes.data(), samples);
    placement_.Advance(samples / double(input_rate_));
    remaining -= samples;
  }
  av_freep(&planes[0]);
}

void AudioRenderer::Resample(const uint8_t* const* input, int samples) {
  const int capacity = swr_get_out_samples(resampler_.get(), samples);
  if (capacity <= 0) return;
  FramePtr out = MakeFrame();
  out->format = AV_SAMPLE_FMT_FLTP;
  CheckAv(av_channel_layout_copy(&out->ch_layout, &output_layout_), ExitCode::kSoftware, what_);
  out->sample_rate = kOutputRate;
  out->nb_samples = capacity;
  CheckAv(av_frame_get_buffer(out.get(), 0), ExitCode::kSoftware, what_);
  const int converted = CheckAv(
      swr_convert(resampler_.get(), out->data, capacity, const_cast<const uint8_t**>(input),
                  samples),
      ExitCode::kDataError, fmt::format("{}: resampling", what_));
  int64_t kept = converted;
  if (span_.length) {
    const int64_t end = std::llround(*span_.length * kOutputRate);
    kept = std::clamp<int64_t>(end - samples_out_, 0, converted);
  }
  if (kept <= 0) return;
  av_audio_fifo_write(fifo_.get(), reinterpret_cast<void**>(out->data), static_cast<int>(kept));
  samples_out_ += kept;
}

void AudioRenderer::PadToEnd() {
  if (!span_.length) return;
  int64_t missing = std::llround(*span_.length * kOutputRate) - samples_out_;
  if (missing <= 0) return;
  const int piece = kOutputRate * kSilencePieceSeconds;
  std::vector<float> zeros(piece, 0.0f);
  std::vector<void*> planes(static_cast<size_t>(output_layout_.nb_channels), zeros.data());
  while (missing > 0) {
    const int samples = static_cast<int>(std::min<int64_t>(missing, piece));
    av_audio_fifo_write(fifo_.get(), planes.data(), samples);
    samples_out_ += samples;
    missing -= samples;
  }
}

}  // namespace vodctl::media
