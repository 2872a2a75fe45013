#include "media/audio_transcoder.h"

namespace vodctl::media {

AudioTranscoder::AudioTranscoder(AVRational stream_time_base, AudioRenderer::Span span,
                                 const Settings& settings, Muxer* muxer, std::string what)
    : what_(std::move(what)),
      renderer_(stream_time_base, span, settings.layout, what_),
      encoder_(Encoder::Aac(settings.layout, settings.bit_rate, what_)),
      muxer_(muxer),
      output_stream_(muxer->AddStream(encoder_.context())),
      rendered_(MakeFrame()),
      filtered_(MakeFrame()),
      encoded_(MakePacket()) {
  if (!settings.gain_chain.empty()) {
    gain_.emplace(settings.gain_chain, kAudioSampleRate, settings.layout,
                  encoder_.context()->frame_size, what_);
    output_meter_.emplace(kAudioSampleRate, settings.layout, what_);
  }
}

void AudioTranscoder::Add(const AVFrame* frame) {
  renderer_.Add(frame);
  EncodeRendered();
}

void AudioTranscoder::Finish() {
  renderer_.Finish();
  EncodeRendered();
  if (gain_) {
    gain_->Send(nullptr);
    while (gain_->Receive(filtered_.get())) Encode(filtered_.get());
    output_loudness_ = output_meter_->Finish();
  }
  encoder_.Send(nullptr);
  WriteEncoded();
}

void AudioTranscoder::EncodeRendered() {
  while (renderer_.Take(encoder_.context()->frame_size, rendered_.get())) {
    if (!gain_) {
      Encode(rendered_.get());
      continue;
    }
    gain_->Send(rendered_.get());
    av_frame_unref(rendered_.get());
    while (gain_->Receive(filtered_.get())) Encode(filtered_.get());
  }
}

void AudioTranscoder::Encode(AVFrame* frame) {
  // Filters keep the count of samples (the limiter compensates its look-ahead), so counting
  // them gives the same timestamps as the renderer's.
  frame->pts = encoded_samples_;
  encoded_samples_ += frame->nb_samples;
  if (output_meter_) output_meter_->Add(frame);
  encoder_.Send(frame);
  av_frame_unref(frame);
  WriteEncoded();
}

void AudioTranscoder::WriteEncoded() {
  while (encoder_.Receive(encoded_.get())) {
    muxer_->Write(encoded_.get(), output_stream_, encoder_.context()->time_base);
    av_packet_unref(encoded_.get());
  }
}

}  // namespace vodctl::media
