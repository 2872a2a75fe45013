// Encodes one audio rendition, whole, to AAC-LC 48 kHz: the source stream rendered by
// AudioRenderer from its decoded frames, through an optional gain chain (loudness normalisation), into the encoder.
// Audio is never cut into chunks: encoding it in one piece leaves no encoder priming gaps at
// chunk joins.
#pragma once

#include "media/audio_filter.h"
#include "media/audio_renderer.h"
#include "media/encoder.h"
#include "media/loudness_meter.h"
#include "media/muxer.h"

#include <optional>
#include <string>

namespace vodctl::media {

class AudioTranscoder {
 public:
  struct Settings {
    AVChannelLayout layout = AV_CHANNEL_LAYOUT_STEREO;
    int64_t bit_rate = 128000;
    // A libavfilter chain the PCM goes through before the encoder ("volume=-3dB,..."); empty:
    // none, and nothing is measured.
    std::string gain_chain;
  };

  // Adds a stream to `muxer` (which may hold other tracks); the caller writes its header and
  // trailer.
  AudioTranscoder(AVRational stream_time_base, AudioRenderer::Span span, const Settings& settings,
                  Muxer* muxer, std::string what);

  void Add(const AVFrame* frame);  // a decoded frame of the source stream (AudioRenderer::Add)
  void Finish();                   // drains everything into the muxer
  // With a gain chain: the loudness of what went into the encoder, once Finish() has run.
  std::optional<Loudness> output_loudness() const { return output_loudness_; }

 private:
  // Encodes what the renderer has ready (everything, once it is finished).
  void EncodeRendered();
  void Encode(AVFrame* frame);
  void WriteEncoded();

  std::string what_;
  AudioRenderer renderer_;
  Encoder encoder_;
  std::optional<AudioFilter> gain_;
  std::optional<LoudnessMeter> output_meter_;
  std::optional<Loudness> output_loudness_;
  Muxer* muxer_;
  int output_stream_;
  FramePtr rendered_;
  FramePtr filtered_;
  PacketPtr encoded_;
  int64_t encoded_samples_ = 0;  // samples given to the encoder
};

}  // namespace vodctl::media
