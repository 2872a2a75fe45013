// Encodes one audio stream, whole, to AAC-LC 48 kHz stereo. Audio is never cut into chunks:
// encoding it in one piece leaves no encoder priming gaps at chunk joins.
#pragma once

#include "media/av_ptr.h"
#include "media/decoder.h"
#include "media/encoder.h"
#include "media/muxer.h"

#include <optional>
#include <string>

namespace vodctl::media {

class AudioTranscoder {
 public:
  // `origin_seconds`: the instant that becomes 0 on the output timeline (the source's first
  // video frame). Audio before it is dropped; a later start is kept as an offset. Adds a
  // stream to `muxer` (which may hold other tracks); the caller writes its header and trailer.
  AudioTranscoder(const AVStream* stream, double origin_seconds, Muxer* muxer, std::string what);

  void Write(const AVPacket* packet);  // a packet of the stream given at construction
  void Finish();                       // drains everything into the muxer

 private:
  void Resample(const AVFrame* frame);
  void EncodeFromFifo(bool drain);
  void WriteEncoded();

  std::string what_;
  double origin_seconds_;
  AVRational stream_time_base_;
  Decoder decoder_;
  Encoder encoder_;
  Muxer* muxer_;
  int output_stream_;
  SwrPtr resampler_;
  AudioFifoPtr fifo_;
  FramePtr decoded_;
  FramePtr to_encode_;
  PacketPtr encoded_;
  // Output position of the next sample in the fifo, in 1/48000 s. Unset until the first
  // decoded frame fixes where the audio starts.
  std::optional<int64_t> next_sample_;
};

}  // namespace vodctl::media
