#include "util/gzip.h"

#include <zlib.h>

#include "vodctl/error.h"

namespace vodctl {
namespace {

// windowBits 15 with 16 added: zlib writes and reads the gzip wrapper instead of its own.
constexpr int kGzipWindowBits = 15 + 16;

// Owns a z_stream for deflate or inflate.
class ZStream {
 public:
  explicit ZStream(bool deflating) : deflating_(deflating) {
    const int status =
        deflating ? deflateInit2(&stream_, Z_BEST_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 9,
                                 Z_DEFAULT_STRATEGY)
                  : inflateInit2(&stream_, kGzipWindowBits);
    if (status != Z_OK) Fail(ExitCode::kSoftware, "zlib: cannot start ({})", status);
  }
  ~ZStream() { deflating_ ? deflateEnd(&stream_) : inflateEnd(&stream_); }
  ZStream(const ZStream&) = delete;
  ZStream& operator=(const ZStream&) = delete;
  z_stream* get() { return &stream_; }

 private:
  z_stream stream_{};
  bool deflating_;
};

}  // namespace

std::string Gzip(std::string_view bytes) {
  ZStream zlib(/*deflating=*/true);
  z_stream* stream = zlib.get();
  std::string out(deflateBound(stream, bytes.size()), '\0');
  stream->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream->avail_in = static_cast<uInt>(bytes.size());
  stream->next_out = reinterpret_cast<Bytef*>(out.data());
  stream->avail_out = static_cast<uInt>(out.size());
  // deflateBound leaves room for the whole stream, so one call finishes it.
  if (deflate(stream, Z_FINISH) != Z_STREAM_END) Fail(ExitCode::kSoftware, "zlib: deflate failed");
  out.resize(stream->total_out);
  return out;
}

std::string Gunzip(std::string_view compressed, std::string_view what) {
  ZStream zlib(/*deflating=*/false);
  z_stream* stream = zlib.get();
  stream->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream->avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char buffer[64 * 1024];
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    stream->next_out = reinterpret_cast<Bytef*>(buffer);
    stream->avail_out = sizeof buffer;
    status = inflate(stream, Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END) {
      Fail(ExitCode::kDataError, "{}: not a whole gzip stream ({})", what,
           stream->msg ? stream->msg : "truncated");
    }
    out.append(buffer, sizeof buffer - stream->avail_out);
  }
  if (stream->avail_in != 0) Fail(ExitCode::kDataError, "{}: bytes after the gzip stream", what);
  return out;
}

bool LooksGzipped(std::string_view bytes) { return bytes.starts_with("\x1f\x8b"); }

}  // namespace vodctl
