#include "media/scaler.h"

#include "media/av_error.h"

#include <cstring>

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace vodctl::media {

Scaler::Scaler(int width, int height, std::string what)
    : width_(width), height_(height), what_(std::move(what)) {}

FramePtr Scaler::Scale(const AVFrame* input) {
  context_.reset(sws_getCachedContext(
      context_.release(), input->width, input->height, static_cast<AVPixelFormat>(input->format),
      width_, height_, AV_PIX_FMT_YUV420P, SWS_BICUBIC | SWS_ACCURATE_RND | SWS_BITEXACT,
      nullptr, nullptr, nullptr));
  if (!context_) {
    Fail(ExitCode::kDataError, "{}: cannot scale {}x{} {} to {}x{}", what_, input->width,
         input->height, av_get_pix_fmt_name(static_cast<AVPixelFormat>(input->format)), width_,
         height_);
  }
  FramePtr output = MakeFrame();
  output->format = AV_PIX_FMT_YUV420P;
  output->width = width_;
  output->height = height_;
  CheckAv(av_frame_get_buffer(output.get(), 0), ExitCode::kSoftware, what_);
  // swscale leaves the padding past an odd chroma width unwritten, and x264 reads it: without
  // this the encoded bytes would depend on whatever the allocator handed out.
  for (int plane = 0; plane < 3; ++plane) {
    int rows = plane == 0 ? height_ : (height_ + 1) / 2;
    std::memset(output->data[plane], 0, static_cast<size_t>(output->linesize[plane]) * rows);
  }
  CheckAv(sws_scale(context_.get(), input->data, input->linesize, 0, input->height, output->data,
                    output->linesize),
          ExitCode::kDataError, fmt::format("{}: scaling", what_));
  return output;
}

}  // namespace vodctl::media
