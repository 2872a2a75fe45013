#include "media/sprite_sheet.h"

#include "media/av_error.h"

extern "C" {
#include <libavutil/imgutils.h>
}

#include <cstring>

namespace vodctl::media {
namespace {

constexpr AVPixelFormat kFormat = AV_PIX_FMT_YUV420P;
// A thumbnail on its way from a rendition's colour space to JPEG's.
constexpr AVPixelFormat kTileFormat = AV_PIX_FMT_RGB24;
// JPEG's quantiser scale, 2 (best) to 31: 4 keeps small thumbnails sharp at a few KB each.
constexpr int kJpegQuality = 4;

}  // namespace

SpriteSheet::SpriteSheet(int width, int height, std::string what)
    : what_(std::move(what)), sheet_(MakeFrame()) {
  constexpr int kAlign = 64;
  const int size = av_image_get_buffer_size(kFormat, width, height, kAlign);
  CheckAv(size, ExitCode::kSoftware, what_);
  // Zeroed: the JPEG encoder pads the last row of blocks from beyond the picture.
  sheet_->buf[0] = av_buffer_allocz(size + AV_INPUT_BUFFER_PADDING_SIZE);
  if (!sheet_->buf[0]) throw std::bad_alloc();
  sheet_->format = kFormat;
  sheet_->width = width;
  sheet_->height = height;
  sheet_->color_range = AVCOL_RANGE_JPEG;
  CheckAv(av_image_fill_arrays(sheet_->data, sheet_->linesize, sheet_->buf[0]->data, kFormat,
                               width, height, kAlign),
          ExitCode::kSoftware, what_);
  const ptrdiff_t linesizes[4] = {sheet_->linesize[0], sheet_->linesize[1], sheet_->linesize[2], 0};
  CheckAv(av_image_fill_black(sheet_->data, linesizes, kFormat, AVCOL_RANGE_JPEG, width, height),
          ExitCode::kSoftware, what_);
}

// JFIF's YUV is BT.601 full range, a rendition's BT.709 limited range. swscale changes the
// matrix only on the way to or from RGB, so a thumbnail is scaled into RGB with its own
// matrix and levels and then drawn into the sheet with JPEG's.
void SpriteSheet::Place(const AVFrame* picture, int x, int y, int width, int height) {
  const auto format = static_cast<AVPixelFormat>(picture->format);
  to_rgb_.reset(sws_getCachedContext(to_rgb_.release(), picture->width, picture->height, format,
                                     width, height, kTileFormat, SWS_BICUBIC | SWS_BITEXACT,
                                     nullptr, nullptr, nullptr));
  to_sheet_.reset(sws_getCachedContext(to_sheet_.release(), width, height, kTileFormat, width,
                                       height, kFormat, SWS_BICUBIC | SWS_BITEXACT, nullptr,
                                       nullptr, nullptr));
  if (!to_rgb_ || !to_sheet_) {
    Fail(ExitCode::kSoftware, "{}: cannot scale a {}x{} picture to {}x{}", what_, picture->width,
         picture->height, width, height);
  }
  const int* picture_matrix = sws_getCoefficients(
      picture->colorspace == AVCOL_SPC_BT709 ? SWS_CS_ITU709 : SWS_CS_ITU601);
  const int* jpeg_matrix = sws_getCoefficients(SWS_CS_ITU601);
  const int picture_full_range = picture->color_range == AVCOL_RANGE_JPEG;
  const std::string levels = fmt::format("{}: setting the thumbnail's colours", what_);
  CheckAv(sws_setColorspaceDetails(to_rgb_.get(), picture_matrix, picture_full_range, jpeg_matrix,
                                   1, 0, 1 << 16, 1 << 16),
          ExitCode::kSoftware, levels);
  CheckAv(sws_setColorspaceDetails(to_sheet_.get(), jpeg_matrix, 1, jpeg_matrix, 1, 0, 1 << 16,
                                   1 << 16),
          ExitCode::kSoftware, levels);

  FramePtr rgb = MakeFrame();
  rgb->format = kTileFormat;
  rgb->width = width;
  rgb->height = height;
  CheckAv(av_frame_get_buffer(rgb.get(), 0), ExitCode::kSoftware, what_);
  CheckAv(sws_scale(to_rgb_.get(), picture->data, picture->linesize, 0, picture->height, rgb->data,
                    rgb->linesize),
          ExitCode::kSoftware, fmt::format("{}: scaling a thumbnail", what_));
  uint8_t* tile[4] = {sheet_->data[0] + y * sheet_->linesize[0] + x,
                      sheet_->data[1] + y / 2 * sheet_->linesize[1] + x / 2,
                      sheet_->data[2] + y / 2 * sheet_->linesize[2] + x / 2, nullptr};
  CheckAv(sws_scale(to_sheet_.get(), rgb->data, rgb->linesize, 0, height, tile, sheet_->linesize),
          ExitCode::kSoftware, fmt::format("{}: drawing a thumbnail", what_));
}

std::string SpriteSheet::EncodeJpeg() const {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
  if (!codec) Fail(ExitCode::kSoftware, "{}: FFmpeg has no JPEG encoder", what_);
  CodecContextPtr encoder(avcodec_alloc_context3(codec));
  if (!encoder) throw std::bad_alloc();
  encoder->width = sheet_->width;
  encoder->height = sheet_->height;
  encoder->pix_fmt = kFormat;
  encoder->color_range = AVCOL_RANGE_JPEG;
  encoder->sample_aspect_ratio = AVRational{1, 1};
  encoder->time_base = AVRational{1, 1};
  encoder->thread_count = 1;
  // Bit-exact: no encoder name in a comment segment; a fixed scale, not a rate control.
  encoder->flags |= AV_CODEC_FLAG_BITEXACT | AV_CODEC_FLAG_QSCALE;
  encoder->global_quality = FF_QP2LAMBDA * kJpegQuality;
  CheckAv(avcodec_open2(encoder.get(), codec, nullptr), ExitCode::kSoftware,
          fmt::format("{}: opening the JPEG encoder", what_));

  FramePtr frame = MakeFrame();
  CheckAv(av_frame_ref(frame.get(), sheet_.get()), ExitCode::kSoftware, what_);
  frame->pts = 0;
  frame->quality = encoder->global_quality;
  CheckAv(avcodec_send_frame(encoder.get(), frame.get()), ExitCode::kSoftware,
          fmt::format("{}: encoding the JPEG", what_));
  CheckAv(avcodec_send_frame(encoder.get(), nullptr), ExitCode::kSoftware, what_);
  PacketPtr packet = MakePacket();
  CheckAv(avcodec_receive_packet(encoder.get(), packet.get()), ExitCode::kSoftware,
          fmt::format("{}: encoding the JPEG", what_));
  return std::string(reinterpret_cast<const char*>(packet->data), static_cast<size_t>(packet->size));
}

}  // namespace vodctl::media
