// Writes packets into a container, to a local file or to memory. Output never depends on
// the time, the host or the FFmpeg build's banner: muxers run in bit-exact mode.
#pragma once

#include "media/av_ptr.h"
#include "media/intermediate.h"
#include "util/sha256.h"
#include "vodctl/error.h"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

namespace vodctl::media {

// Where a muxer's bytes go. Sinks are forward-only (not seekable): every container vodctl
// writes (NUT, fragmented MP4, MPEG-TS) can be written that way, which lets a file's checksum
// be computed while it is written instead of by reading it again.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void Append(const uint8_t* data, size_t size) = 0;
};

// Appends to a string; the caller takes the bytes out between fragments.
class MemorySink : public ByteSink {
 public:
  void Append(const uint8_t* data, size_t size) override;
  std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
};

// Writes a new local file, hashing and counting as it goes.
class FileSink : public ByteSink {
 public:
  explicit FileSink(std::string path);  // Error(kIoError) if it cannot be created
  ~FileSink() override;
  void Append(const uint8_t* data, size_t size) override;
  // Flushes and closes the file. Error(kIoError) if the data did not reach the file.
  void Close();
  int64_t size() const { return size_; }
  std::string HexDigest() { return hash_.HexDigest(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  Sha256 hash_;
  int64_t size_ = 0;
};

class Muxer {
 public:
  // `format`: a libavformat muxer name ("nut", "mp4", "mpegts"). `what` names the output
  // in messages. The sink must outlive the muxer.
  Muxer(const char* format, ByteSink* sink, std::string what);
  // A muxer for an intermediate file (see intermediate.h), NUT unless `format` says otherwise.
  static std::unique_ptr<Muxer> Intermediate(ByteSink* sink, std::string what,
                                             const char* format = kIntermediateFormat);
  ~Muxer();
  Muxer(const Muxer&) = delete;
  Muxer& operator=(const Muxer&) = delete;

  // Adds a stream copying `parameters`; returns its index.
  int AddStream(const AVCodecParameters* parameters, AVRational time_base);
  // Adds a stream for what an opened encoder produces, in the encoder's time base.
  int AddStream(const AVCodecContext* encoder);
  AVStream* stream(int index) const { return context_->streams[index]; }

  // Added to every timestamp written (AVFormatContext.output_ts_offset).
  void SetOutputOffset(int64_t microseconds);
  // Sets an option of the container's own muxer (e.g. mpegts_flags) between packets.
  void SetPrivateOption(const char* name, const char* value);
  // `options` is a libavformat option string such as "movflags=+frag_custom".
  void WriteHeader(const std::string& options = "");
  // Writes a packet whose timestamps are in `from` time base, rescaled to the stream's.
  void Write(AVPacket* packet, int stream_index, AVRational from);
  // Asks the muxer to emit what it has buffered (cuts an fMP4 fragment), then flushes.
  void Flush();
  void Finish();  // writes the trailer and flushes

 private:
  static int WritePacket(void* opaque, uint8_t* data, int size);  // FFmpeg 5.1 signature
  // Throws for a failed call: the sink's own error when it failed (it names the file and
  // errno, which FFmpeg's EIO would lose), FFmpeg's otherwise.
  void Check(int ret, const char* doing);
  std::string what_;
  ByteSink* sink_;
  AVFormatContext* context_ = nullptr;
  std::optional<Error> sink_error_;
};

}  // namespace vodctl::media
