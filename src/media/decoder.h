// Decodes one stream. Decoding is bit-exact, so its thread count does not affect output.
#pragma once

#include "media/av_ptr.h"

#include <string>

namespace vodctl::media {

class Decoder {
 public:
  // Error(kDataError) when the stream's codec has no decoder here. `what` names the stream in
  // messages ("source video", "chunk 3").
  Decoder(const AVStream* stream, std::string what);

  AVCodecContext* context() const { return context_.get(); }

  // Sends a packet (nullptr: end of stream, to drain). Corrupt packets are errors: a source
  // that does not decode cleanly makes wrong output, so it fails rather than skips.
  void Send(const AVPacket* packet);
  // The next decoded frame, or false when the decoder needs more input or is drained.
  bool Receive(AVFrame* frame);
  // Error(kDataError) when the decoder had to conceal damage in `frame` (missing or corrupt
  // slices, broken references): published, it would show as frozen or smeared blocks.
  void CheckIntact(const AVFrame* frame) const;

 private:
  std::string what_;
  CodecContextPtr context_;
};

}  // namespace vodctl::media
