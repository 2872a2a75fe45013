#include "media/muxer.h"

#include "media/av_error.h"

extern "C" {
#include <libavutil/opt.h>
}

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace vodctl::media {

void MemorySink::Append(const uint8_t* data, size_t size) {
  bytes_.append(reinterpret_cast<const char*>(data), size);
}

FileSink::FileSink(std::string path) : path_(std::move(path)) {
  file_ = std::fopen(path_.c_str(), "wb");
  if (!file_) Fail(ExitCode::kIoError, "cannot create '{}': {}", path_, std::strerror(errno));
}

FileSink::~FileSink() {
  if (file_) std::fclose(file_);
}

void FileSink::Append(const uint8_t* data, size_t size) {
  if (std::fwrite(data, 1, size, file_) != size) {
    Fail(ExitCode::kIoError, "writing '{}': {}", path_, std::strerror(errno));
  }
  hash_.Update(data, size);
  size_ += static_cast<int64_t>(size);
}

void FileSink::Close() {
  std::FILE* file = std::exchange(file_, nullptr);
  if (std::fclose(file) != 0) {
    Fail(ExitCode::kIoError, "writing '{}': {}", path_, std::strerror(errno));
  }
}

Muxer::Muxer(const char* format, ByteSink* sink, std::string what)
    : what_(std::move(what)), sink_(sink) {
  CheckAv(avformat_alloc_output_context2(&context_, nullptr, format, nullptr),
          ExitCode::kSoftware, fmt::format("{}: creating a {} muxer", what_, format));
  constexpr int kBufferSize = 1 << 16;
  auto* buffer = static_cast<unsigned char*>(av_malloc(kBufferSize));
  context_->pb = avio_alloc_context(buffer, kBufferSize, 1, this, nullptr, &Muxer::WritePacket,
                                    nullptr);
  if (!buffer || !context_->pb) throw std::bad_alloc();
  context_->pb->seekable = 0;
  context_->flags |= AVFMT_FLAG_BITEXACT | AVFMT_FLAG_CUSTOM_IO;
}

std::unique_ptr<Muxer> Muxer::Intermediate(ByteSink* sink, std::string what,
                                           const char* format) {
  auto muxer = std::make_unique<Muxer>(format, sink, std::move(what));
  muxer->SetOutputOffset(kIntermediateOffsetMicroseconds);
  return muxer;
}

Muxer::~Muxer() {
  if (!context_) return;
  if (context_->pb) {
    av_freep(&context_->pb->buffer);
    avio_context_free(&context_->pb);
  }
  avformat_free_context(context_);
}

int Muxer::WritePacket(void* opaque, uint8_t* data, int size) {
  auto* self = static_cast<Muxer*>(opaque);
  try {
    self->sink_->Append(data, static_cast<size_t>(size));
  } catch (const Error& error) {
    self->sink_error_ = error;  // rethrown by Check with its path and errno
    return AVERROR(EIO);
  }
  return size;
}

void Muxer::Check(int ret, const char* doing) {
  if (sink_error_) throw *sink_error_;
  if (context_->pb && context_->pb->error < 0) ret = std::min(ret, context_->pb->error);
  // Formatted only on failure: this runs for every packet.
  if (ret < 0) CheckAv(ret, ExitCode::kIoError, fmt::format("{}: {}", what_, doing));
}

namespace {

// The codec tag a stream copied into `format` is written with: the container's own tag where
// it has one for the codec (0 lets the muxer pick it), else the source's, else one of the
// AVI or QuickTime tags for the codec. NUT, for one, has no tag of its own for ProRes or
// DNxHD and refuses a stream without one, yet reads those tables' tags back ('apco' from a
// MOV; an MXF carries none, so DNxHD gets AVI's 'AVdn'). The first two choices are FFmpeg's
// command line's for stream copy.
unsigned TagFor(const AVOutputFormat* format, const AVCodecParameters* parameters) {
  unsigned tag = 0;
  if (format->codec_tag && av_codec_get_tag2(format->codec_tag, parameters->codec_id, &tag)) {
    return 0;
  }
  if (parameters->codec_tag) return parameters->codec_tag;
  const AVCodecTag* const video_tags[] = {avformat_get_riff_video_tags(),
                                          avformat_get_mov_video_tags(), nullptr};
  const AVCodecTag* const audio_tags[] = {avformat_get_riff_audio_tags(),
                                          avformat_get_mov_audio_tags(), nullptr};
  const bool video = parameters->codec_type == AVMEDIA_TYPE_VIDEO;
  av_codec_get_tag2(video ? video_tags : audio_tags, parameters->codec_id, &tag);
  return tag;
}

}  // namespace

int Muxer::AddStream(const AVCodecParameters* parameters, AVRational time_base) {
  AVStream* stream = avformat_new_stream(context_, nullptr);
  if (!stream) throw std::bad_alloc();
  CheckAv(avcodec_parameters_copy(stream->codecpar, parameters), ExitCode::kSoftware, what_);
  stream->codecpar->codec_tag = TagFor(context_->oformat, parameters);
  stream->time_base = time_base;
  return stream->index;
}

int Muxer::AddStream(const AVCodecContext* encoder) {
  CodecParametersPtr parameters(avcodec_parameters_alloc());
  if (!parameters) throw std::bad_alloc();
  CheckAv(avcodec_parameters_from_context(parameters.get(), encoder), ExitCode::kSoftware, what_);
  return AddStream(parameters.get(), encoder->time_base);
}

void Muxer::SetOutputOffset(int64_t microseconds) { context_->output_ts_offset = microseconds; }

void Muxer::SetPrivateOption(const char* name, const char* value) {
  CheckAv(av_opt_set(context_->priv_data, name, value, 0), ExitCode::kSoftware,
          fmt::format("{}: setting {}", what_, name));
}

void Muxer::WriteHeader(const std::string& options) {
  AVDictionary* dict = nullptr;
  if (!options.empty()) av_dict_parse_string(&dict, options.c_str(), "=", ":", 0);
  av_dict_set(&dict, "fflags", "+bitexact", 0);
  // Timestamps are written as given: a muxer that shifts them by a data-dependent amount
  // would move chunks and streams against each other.
  av_dict_set(&dict, "avoid_negative_ts", "disabled", 0);
  int ret = avformat_write_header(context_, &dict);
  av_dict_free(&dict);
  Check(ret, "writing the header");
}

void Muxer::Write(AVPacket* packet, int stream_index, AVRational from) {
  av_packet_rescale_ts(packet, from, context_->streams[stream_index]->time_base);
  packet->stream_index = stream_index;
  packet->pos = -1;
  Check(av_write_frame(context_, packet), "writing a packet");
}

void Muxer::Flush() {
  int ret = av_write_frame(context_, nullptr);
  avio_flush(context_->pb);
  Check(ret, "flushing");
}

void Muxer::Finish() {
  int ret = av_write_trailer(context_);
  avio_flush(context_->pb);
  Check(ret, "writing the trailer");
}

}  // namespace vodctl::media
