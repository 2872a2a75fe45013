#include "media/demuxer.h"

#include "media/av_error.h"
#include "media/intermediate.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace vodctl::media {
namespace {

// One option dictionary per stream, the way avformat_find_stream_info takes them.
class StreamOptions {
 public:
  StreamOptions(unsigned streams, const char* key, const std::string& value)
      : options_(streams, nullptr) {
    for (AVDictionary*& options : options_) av_dict_set(&options, key, value.c_str(), 0);
  }
  ~StreamOptions() {
    for (AVDictionary*& options : options_) av_dict_free(&options);
  }
  StreamOptions(const StreamOptions&) = delete;
  StreamOptions& operator=(const StreamOptions&) = delete;
  AVDictionary** data() { return options_.data(); }

 private:
  std::vector<AVDictionary*> options_;
};

}  // namespace

Demuxer::Demuxer(std::unique_ptr<RandomAccessReader> reader, Kind kind,
                 const SourcePolicy* policy)
    : reader_(std::move(reader)), kind_(kind) {
  constexpr int kBufferSize = 1 << 16;
  auto* buffer = static_cast<unsigned char*>(av_malloc(kBufferSize));
  if (!buffer) throw std::bad_alloc();
  io_.reset(avio_alloc_context(buffer, kBufferSize, 0, this, &Demuxer::ReadBytes, nullptr,
                               &Demuxer::Seek));
  if (!io_) {
    av_free(buffer);
    throw std::bad_alloc();
  }
  const AVInputFormat* format = policy ? ProbeFormat(*policy) : nullptr;
  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) throw std::bad_alloc();
  raw->pb = io_.get();
  raw->flags |= AVFMT_FLAG_CUSTOM_IO;
  raw->io_open = &Demuxer::RefuseOpen;
  // On failure avformat_open_input frees `raw` itself.
  const int ret = avformat_open_input(&raw, nullptr, format, nullptr);
  RethrowReaderError();
  if (ret < 0) {
    Fail(ExitCode::kDataError, "cannot read '{}' as media: {}", name(), AvErrorText(ret));
  }
  context_.reset(raw);
  const int found = FindStreamInfo(policy);
  RethrowReaderError();
  CheckAv(found, ExitCode::kDataError, fmt::format("cannot find streams in '{}'", name()));
}

Demuxer::Demuxer(const std::string& path, Kind kind)
    : Demuxer(OpenLocalFileForRead(path), kind) {}

const AVInputFormat* Demuxer::ProbeFormat(const SourcePolicy& policy) {
  const AVInputFormat* format = nullptr;
  // No file name: an extension must not sway the guess.
  const int score = av_probe_input_buffer2(io_.get(), &format, "", nullptr, 0, 0);
  RethrowReaderError();
  if (score < 0) {
    Fail(ExitCode::kDataError, "cannot read '{}' as media: {}", name(), AvErrorText(score));
  }
  policy.CheckFormat(name(), format->name);
  return format;
}

int Demuxer::FindStreamInfo(const SourcePolicy* policy) {
  AVFormatContext* format = context_.get();
  if (!policy) return avformat_find_stream_info(format, nullptr);
  // Probing decodes a few frames: a header claiming a huge picture would have the decoder
  // allocate it before the policy sees the size. FFmpeg's own limit stops it at the policy's.
  const std::string max_pixels =
      std::to_string(std::min<int64_t>(policy->max_pixels, std::numeric_limits<int>::max()));
  StreamOptions options(format->nb_streams, "max_pixels", max_pixels);
  return avformat_find_stream_info(format, options.data());
}

// Every nested open a demuxer asks for (an HLS or DASH playlist's segments, a concat list's
// files, a QuickTime reference, a subtitle's side file) would read something the source
// names rather than the source itself.
int Demuxer::RefuseOpen(AVFormatContext*, AVIOContext**, const char*, int, AVDictionary**) {
  return AVERROR(EPERM);
}

int Demuxer::ReadBytes(void* opaque, uint8_t* buffer, int capacity) {
  auto* self = static_cast<Demuxer*>(opaque);
  try {
    const size_t got = self->reader_->ReadAt(self->position_, reinterpret_cast<char*>(buffer),
                                             static_cast<size_t>(capacity));
    if (got == 0) return AVERROR_EOF;
    self->position_ += static_cast<int64_t>(got);
    return static_cast<int>(got);
  } catch (...) {
    self->reader_error_ = std::current_exception();
    return AVERROR(EIO);
  }
}

int64_t Demuxer::Seek(void* opaque, int64_t offset, int whence) {
  auto* self = static_cast<Demuxer*>(opaque);
  const int64_t size = self->reader_->size();
  switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE:
      return size;
    case SEEK_SET:
      break;
    case SEEK_CUR:
      offset += self->position_;
      break;
    case SEEK_END:
      offset += size;
      break;
    default:
      return AVERROR(EINVAL);
  }
  if (offset < 0) return AVERROR(EINVAL);
  self->position_ = offset;
  return offset;
}

void Demuxer::RethrowReaderError() {
  if (reader_error_) std::rethrow_exception(std::exchange(reader_error_, nullptr));
}

bool Demuxer::Read(AVPacket* packet) {
  if (kind_ == Kind::kSource) return ReadRaw(packet);
  while (true) {
    if (PacketPtr ready = filler_.Pop()) {
      av_packet_move_ref(packet, ready.get());
      return true;
    }
    if (at_end_) return false;
    PacketPtr raw = MakePacket();
    if (ReadRaw(raw.get())) {
      filler_.Push(std::move(raw));
    } else {
      at_end_ = true;
      filler_.Finish();
    }
  }
}

bool Demuxer::ReadRaw(AVPacket* packet) {
  int ret = av_read_frame(context_.get(), packet);
  RethrowReaderError();
  if (ret == AVERROR_EOF) return false;
  CheckAv(ret, ExitCode::kDataError, fmt::format("reading '{}'", name()));
  if (kind_ == Kind::kIntermediate) {
    int64_t offset = av_rescale_q(kIntermediateOffsetMicroseconds, AV_TIME_BASE_Q,
                                  context_->streams[packet->stream_index]->time_base);
    if (packet->pts != AV_NOPTS_VALUE) packet->pts -= offset;
    if (packet->dts != AV_NOPTS_VALUE) packet->dts -= offset;
  }
  return true;
}

}  // namespace vodctl::media
