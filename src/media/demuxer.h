// Reads packets from a local media file.
#pragma once

#include "media/av_ptr.h"
#include "media/decode_time_filler.h"

#include <string>

namespace vodctl::media {

class Demuxer {
 public:
  enum class Kind {
    kSource,        // timestamps as they are
    kIntermediate,  // written by vodctl: timestamps shifted back (see intermediate.h)
  };
  // Opens and probes `path`. Error(kDataError) naming the file when it is not media FFmpeg
  // can read.
  Demuxer(const std::string& path, Kind kind);

  AVFormatContext* context() const { return context_.get(); }
  AVStream* stream(int index) const { return context_->streams[index]; }
  const std::string& path() const { return path_; }

  // The next packet in file order; false at the end. Error(kDataError) on a read error.
  // Intermediate files have one stream; their packets come with every decode time filled.
  bool Read(AVPacket* packet);

 private:
  std::string path_;
  bool ReadRaw(AVPacket* packet);
  Kind kind_;
  InputFormatPtr context_;
  DecodeTimeFiller filler_;
  bool at_end_ = false;
};

}  // namespace vodctl::media
