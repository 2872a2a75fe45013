// Turns the decoded frames of one audio stream of the source into the PCM a rendition is
// encoded from: placed on the presentation's timeline (AudioPlacement), resampled to 48 kHz
// planar float in the rendition's channel layout, and handed out in frames of a fixed size. The loudness
// measuring pass and the encoding pass both read the audio through it, so they hear the same
// samples. The frames come from a decoder of the caller's, so one decoder serves every
// rendition made of a stream (its stereo and its 5.1).
#pragma once

#include "media/audio_placement.h"
#include "media/av_ptr.h"

#include <optional>
#include <string>

namespace vodctl::media {

class AudioRenderer {
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

  // `layout`: stereo or 5.1. Stereo takes libswresample's downmix of whatever the source has;
  // 5.1 maps the source's channels as SurroundMatrix says.
  // `stream_time_base`: the time base of the frames' timestamps.
  AudioRenderer(AVRational stream_time_base, Span span, const AVChannelLayout& layout,
                std::string what);
  ~AudioRenderer();
  AudioRenderer(const AudioRenderer&) = delete;
  AudioRenderer& operator=(const AudioRenderer&) = delete;

  void Add(const AVFrame* frame);  // a decoded frame of the stream, in decode order
  void Finish();                   // the resampler's last samples, the padding
  // The next `samples` samples into `frame` (its pts: the first sample's index from output
  // time 0), or fewer once Finish() has been called and the end is near; false when fewer
  // are buffered (or none are left).
  bool Take(int samples, AVFrame* frame);

  const AVChannelLayout& layout() const { return output_layout_; }

 private:
  // (Re)builds the resampler for frames like `frame`, first draining the one it replaces:
  // a broadcast recording may switch from 5.1 to stereo, or from 48 to 44.1 kHz, mid-stream.
  void UseResamplerFor(const AVFrame* frame);
  void FeedSilence(double seconds);
  // Resamples `samples` input samples (nullptr: drain the resampler) into the fifo, keeping
  // only what falls before the span's end.
  void Resample(const uint8_t* const* input, int samples);
  void PadToEnd();

  std::string what_;
  Span span_;
  AVRational stream_time_base_;
  AVChannelLayout output_layout_{};
  AudioPlacement placement_;
  SwrPtr resampler_;
  // What the resampler was built for.
  AVSampleFormat input_format_ = AV_SAMPLE_FMT_NONE;
  int input_rate_ = 0;
  AVChannelLayout input_layout_{};
  AudioFifoPtr fifo_;
  bool finished_ = false;
  int64_t samples_out_ = 0;    // samples put into the fifo, from output time 0
  int64_t samples_taken_ = 0;  // samples taken out of it
};

}  // namespace vodctl::media
