// Encodes one audio stream, whole, to AAC-LC 48 kHz stereo. Audio is never cut into chunks:
// encoding it in one piece leaves no encoder priming gaps at chunk joins.
#pragma once

#include "media/audio_placement.h"
#include "media/av_ptr.h"
#include "media/decoder.h"
#include "media/encoder.h"
#include "media/muxer.h"

#include <optional>
#include <string>

namespace vodctl::media {

class AudioTranscoder {
 public:
  // The stretch of the source's timeline the output covers: `origin` (seconds on the source's
  // clock) becomes output time 0, and the output lasts `length` seconds when that is set,
  // else as long as the source's audio. The output has audio for every instant of it: what
  // the source's audio does not cover (a late start, a gap, an early end) is silence, and
  // what lies outside it is dropped.
  struct Span {
    double origin = 0;
    std::optional<double> length;
  };

  // Adds a stream to `muxer` (which may hold other tracks); the caller writes its header and
  // trailer.
  AudioTranscoder(const AVStream* stream, Span span, Muxer* muxer, std::string what);
  ~AudioTranscoder();
  AudioTranscoder(const AudioTranscoder&) = delete;
  AudioTranscoder& operator=(const AudioTranscoder&) = delete;

  void Write(const AVPacket* packet);  // a packet of the stream given at construction
  void Finish();                       // drains everything into the muxer

 private:
  void Place(const AVFrame* frame);
  // (Re)builds the resampler for frames like `frame`, first draining the one it replaces:
  // a broadcast recording may switch from 5.1 to stereo, or from 48 to 44.1 kHz, mid-stream.
  void UseResamplerFor(const AVFrame* frame);
  void FeedSilence(double seconds);
  // Resamples `samples` input samples (nullptr: drain the resampler) into the fifo, keeping
  // only what falls before the span's end.
  void Resample(const uint8_t* const* input, int samples);
  void PadToEnd();
  void EncodeFromFifo(bool drain);
  void WriteEncoded();

  std::string what_;
  Span span_;
  AVRational stream_time_base_;
  Decoder decoder_;
  Encoder encoder_;
  Muxer* muxer_;
  int output_stream_;
  AudioPlacement placement_;
  SwrPtr resampler_;
  // What the resampler was built for.
  AVSampleFormat input_format_ = AV_SAMPLE_FMT_NONE;
  int input_rate_ = 0;
  AVChannelLayout input_layout_{};
  AudioFifoPtr fifo_;
  FramePtr decoded_;
  FramePtr to_encode_;
  PacketPtr encoded_;
  int64_t samples_out_ = 0;  // samples put into the fifo, from output time 0
  int64_t encoded_samples_ = 0;  // samples taken from the fifo by the encoder
};

}  // namespace vodctl::media
