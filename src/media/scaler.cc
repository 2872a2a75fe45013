#include "media/scaler.h"

#include "media/av_error.h"

#include <cstring>

extern "C" {
#include <libavutil/imgutils.h>
#include <libavutil/macros.h>
#include <libavutil/pixdesc.h>
}

namespace vodctl::media {

Scaler::Scaler(int width, int height, std::string what)
    : width_(width), height_(height), what_(std::move(what)) {}

FramePtr Scaler::NewPicture() {
  constexpr int kAlign = 64;
  const int picture_size = av_image_get_buffer_size(AV_PIX_FMT_YUV420P, width_, height_, kAlign);
  CheckAv(picture_size, ExitCode::kSoftware, what_);
  // Slack after the last row for readers that over-read by a vector or a row.
  const int buffer_size = picture_size + 2 * FFALIGN(width_, kAlign) + AV_INPUT_BUFFER_PADDING_SIZE;
  if (!pool_) {
    pool_.reset(av_buffer_pool_init(buffer_size, nullptr));
    if (!pool_) throw std::bad_alloc();
  }
  FramePtr picture = MakeFrame();
  picture->format = AV_PIX_FMT_YUV420P;
  picture->width = width_;
  picture->height = height_;
  picture->buf[0] = av_buffer_pool_get(pool_.get());
  if (!picture->buf[0]) throw std::bad_alloc();
  CheckAv(av_image_fill_arrays(picture->data, picture->linesize, picture->buf[0]->data,
                               AV_PIX_FMT_YUV420P, width_, height_, kAlign),
          ExitCode::kSoftware, what_);
  ZeroPadding(*picture);
  return picture;
}

// swscale writes each row's `width` bytes and nothing after them, and x264 reads a little
// past the end of a row (its SIMD copies of an odd chroma width) and past the last row:
// zeroed, the encoded bytes cannot depend on what a recycled buffer held before.
void Scaler::ZeroPadding(const AVFrame& picture) const {
  uint8_t* const buffer_end = picture.buf[0]->data + picture.buf[0]->size;
  for (int plane = 0; plane < 3; ++plane) {
    const int shift = plane == 0 ? 0 : 1;  // 4:2:0
    const int row_bytes = AV_CEIL_RSHIFT(width_, shift);
    const int rows = AV_CEIL_RSHIFT(height_, shift);
    const int linesize = picture.linesize[plane];
    for (int row = 0; row < rows; ++row) {
      std::memset(picture.data[plane] + row * linesize + row_bytes, 0, linesize - row_bytes);
    }
  }
  uint8_t* const pictures_end = picture.data[2] + picture.linesize[2] * AV_CEIL_RSHIFT(height_, 1);
  std::memset(pictures_end, 0, buffer_end - pictures_end);
}

FramePtr Scaler::Scale(const AVFrame* input) {
  if (input->width == width_ && input->height == height_ &&
      input->format == AV_PIX_FMT_YUV420P && input->buf[0]) {
    return SharePicture(input);
  }
  context_.reset(sws_getCachedContext(
      context_.release(), input->width, input->height, static_cast<AVPixelFormat>(input->format),
      width_, height_, AV_PIX_FMT_YUV420P, SWS_BICUBIC | SWS_BITEXACT,
      nullptr, nullptr, nullptr));
  if (!context_) {
    Fail(ExitCode::kDataError, "{}: cannot scale {}x{} {} to {}x{}", what_, input->width,
         input->height, av_get_pix_fmt_name(static_cast<AVPixelFormat>(input->format)), width_,
         height_);
  }
  FramePtr output = NewPicture();
  CheckAv(sws_scale(context_.get(), input->data, input->linesize, 0, input->height, output->data,
                    output->linesize),
          ExitCode::kDataError, fmt::format("{}: scaling", what_));
  return output;
}

}  // namespace vodctl::media
