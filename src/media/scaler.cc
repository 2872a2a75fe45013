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
  // swscale leaves padding unwritten (past an odd chroma width, after the last row) and
  // x264 reads some of it: without this the encoded bytes depend on whatever the allocator
  // handed out (checked by running with different MALLOC_PERTURB_ values).
  for (AVBufferRef* buffer : output->buf) {
    if (buffer) std::memset(buffer->data, 0, buffer->size);
  }
  CheckAv(sws_scale(context_.get(), input->data, input->linesize, 0, input->height, output->data,
                    output->linesize),
          ExitCode::kDataError, fmt::format("{}: scaling", what_));
  return output;
}

}  // namespace vodctl::media
