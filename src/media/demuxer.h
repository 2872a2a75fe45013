// Reads packets from media through a RandomAccessReader: libavformat gets vodctl's own I/O,
// never a path or URL it could open by itself.
#pragma once

#include "media/av_ptr.h"
#include "media/decode_time_filler.h"
#include "vodctl/source_policy.h"
#include "vodctl/storage.h"

#include <exception>
#include <memory>
#include <string>

namespace vodctl::media {

class Demuxer {
 public:
  enum class Kind {
    kSource,        // timestamps as they are
    kIntermediate,  // written by vodctl: timestamps shifted back (see intermediate.h)
  };
  // Opens and probes the media `reader` reads. Error(kDataError) naming it when it is not
  // media FFmpeg can read; the reader's own errors come out as they were thrown. With a
  // `policy` (an upload), the format is found by content and must be one it allows; without
  // (files vodctl wrote), any format FFmpeg recognizes. Either way the demuxer cannot open
  // any other file or URL: playlists and references inside the media are refused.
  Demuxer(std::unique_ptr<RandomAccessReader> reader, Kind kind,
          const SourcePolicy* policy = nullptr);
  // The same for a local file.
  Demuxer(const std::string& path, Kind kind);

  AVFormatContext* context() const { return context_.get(); }
  AVStream* stream(int index) const { return context_->streams[index]; }
  const std::string& name() const { return reader_->name(); }
  int64_t size() const { return reader_->size(); }

  // The next packet in file order; false at the end. Error(kDataError) on a read error.
  // Intermediate files have one stream; their packets come with every decode time filled.
  bool Read(AVPacket* packet);

 private:
  static int ReadBytes(void* opaque, uint8_t* buffer, int capacity);
  static int64_t Seek(void* opaque, int64_t offset, int whence);
  static int RefuseOpen(AVFormatContext* context, AVIOContext** io, const char* url, int flags,
                        AVDictionary** options);
  // The format of the media, probed from its bytes; Error(kDataError) when `policy` refuses it.
  const AVInputFormat* ProbeFormat(const SourcePolicy& policy);
  // avformat_find_stream_info, with the probing decoders held to `policy`'s picture size.
  int FindStreamInfo(const SourcePolicy* policy);
  // Rethrows what the reader threw inside libavformat, which only saw AVERROR(EIO).
  void RethrowReaderError();
  bool ReadRaw(AVPacket* packet);

  std::unique_ptr<RandomAccessReader> reader_;
  int64_t position_ = 0;
  std::exception_ptr reader_error_;
  Kind kind_;
  AvioPtr io_;               // outlives context_, which reads through it
  InputFormatPtr context_;
  DecodeTimeFiller filler_;
  bool at_end_ = false;
};

}  // namespace vodctl::media
