#include "media/encoder.h"

#include "media/av_error.h"

extern "C" {
#include <libavutil/opt.h>
}

namespace vodctl::media {
namespace {

CodecContextPtr AllocateContext(const char* encoder_name, const std::string& what) {
  const AVCodec* codec = avcodec_find_encoder_by_name(encoder_name);
  if (!codec) Fail(ExitCode::kSoftware, "{}: FFmpeg has no '{}' encoder", what, encoder_name);
  CodecContextPtr context(avcodec_alloc_context3(codec));
  if (!context) throw std::bad_alloc();
  return context;
}

void Open(AVCodecContext* context, AVDictionary** options, const std::string& what) {
  int ret = avcodec_open2(context, context->codec, options);
  av_dict_free(options);
  CheckAv(ret, ExitCode::kSoftware, fmt::format("{}: opening the encoder", what));
}

}  // namespace

Encoder Encoder::H264(const H264Settings& s, std::string what) {
  CodecContextPtr c = AllocateContext("libx264", what);
  c->width = s.width;
  c->height = s.height;
  c->pix_fmt = AV_PIX_FMT_YUV420P;
  c->sample_aspect_ratio = AVRational{1, 1};
  c->framerate = s.frame_rate;
  c->time_base = av_inv_q(s.frame_rate);
  c->gop_size = s.gop_frames;
  c->thread_count = s.threads;
  c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER | AV_CODEC_FLAG_CLOSED_GOP;
  // What the colour stage made every picture: x264 writes it into the SPS's VUI, the muxers
  // into the container (an fMP4 `colr` box), so players need not guess.
  c->color_primaries = AVCOL_PRI_BT709;
  c->color_trc = AVCOL_TRC_BT709;
  c->colorspace = AVCOL_SPC_BT709;
  c->color_range = AVCOL_RANGE_MPEG;
  c->chroma_sample_location = AVCHROMA_LOC_LEFT;
  if (s.maxrate_kbps > 0) {
    c->rc_max_rate = int64_t{s.maxrate_kbps} * 1000;
    c->rc_buffer_size = s.bufsize_kbps * 1000;
  }
  AVDictionary* options = nullptr;
  av_dict_set(&options, "preset", s.preset.c_str(), 0);
  av_dict_set_int(&options, "crf", s.crf, 0);
  // A key frame we force at a segment boundary must be an IDR, or the segment could not be
  // decoded on its own.
  av_dict_set(&options, "forced-idr", "1", 0);
  // Frame threads make output vary between runs for some picture widths; slices do not.
  if (s.threads > 1) av_dict_set(&options, "x264-params", "sliced-threads=1", 0);
  Open(c.get(), &options, what);
  return Encoder(std::move(c), std::move(what));
}

Encoder Encoder::Aac(const AVChannelLayout& layout, int64_t bit_rate, std::string what) {
  CodecContextPtr c = AllocateContext("aac", what);
  c->sample_fmt = AV_SAMPLE_FMT_FLTP;
  c->sample_rate = kAudioSampleRate;
  CheckAv(av_channel_layout_copy(&c->ch_layout, &layout), ExitCode::kSoftware, what);
  c->bit_rate = bit_rate;
  c->profile = FF_PROFILE_AAC_LOW;
  c->time_base = AVRational{1, kAudioSampleRate};
  c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER | AV_CODEC_FLAG_BITEXACT;
  AVDictionary* options = nullptr;
  Open(c.get(), &options, what);
  return Encoder(std::move(c), std::move(what));
}

void Encoder::Send(const AVFrame* frame) {
  CheckAv(avcodec_send_frame(context_.get(), frame), ExitCode::kSoftware,
          fmt::format("{}: encoding", what_));
}

bool Encoder::Receive(AVPacket* packet) {
  int ret = avcodec_receive_packet(context_.get(), packet);
  if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return false;
  CheckAv(ret, ExitCode::kSoftware, fmt::format("{}: encoding", what_));
  return true;
}

}  // namespace vodctl::media
