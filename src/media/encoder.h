// Encoders: libx264 for video renditions, FFmpeg's AAC-LC for audio.
#pragma once

#include "media/av_ptr.h"

#include <string>

namespace vodctl::media {

// Every output audio track is AAC-LC at this rate.
inline constexpr int kAudioSampleRate = 48000;

struct H264Settings {
  int width = 0;
  int height = 0;
  AVRational frame_rate{25, 1};  // the time base is its inverse: pts counts frames
  std::string preset = "veryfast";
  int crf = 23;
  int maxrate_kbps = 0;  // 0: uncapped
  int bufsize_kbps = 0;
  int gop_frames = 0;    // longest distance between key frames
  int threads = 1;
};

class Encoder {
 public:
  // Opens libx264 with settings that make output deterministic for the same input:
  // fixed threads, closed GOPs, forced key frames become IDRs, global headers (avcC).
  static Encoder H264(const H264Settings& settings, std::string what);
  // AAC-LC, 48 kHz, in `layout` (stereo, or 5.1 as AAC's channel configuration 6 carries it)
  // at `bit_rate`; float planar input in frames of frame_size() samples.
  static Encoder Aac(const AVChannelLayout& layout, int64_t bit_rate, std::string what);

  AVCodecContext* context() const { return context_.get(); }

  void Send(const AVFrame* frame);  // nullptr: flush
  bool Receive(AVPacket* packet);   // false: needs input or drained

 private:
  Encoder(CodecContextPtr context, std::string what)
      : what_(std::move(what)), context_(std::move(context)) {}
  std::string what_;
  CodecContextPtr context_;
};

}  // namespace vodctl::media
