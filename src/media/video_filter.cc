#include "media/video_filter.h"

#include "media/av_error.h"

extern "C" {
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
}

namespace vodctl::media {

VideoFilter::VideoFilter(std::string description, AVRational time_base, std::string what)
    : description_(std::move(description)), time_base_(time_base), what_(std::move(what)) {}

void VideoFilter::Build(const AVFrame* first) {
  const AVRational sar = first->sample_aspect_ratio.num > 0 ? first->sample_aspect_ratio
                                                             : AVRational{1, 1};
  const std::string source_args =
      fmt::format("video_size={}x{}:pix_fmt={}:time_base={}/{}:pixel_aspect={}/{}", first->width,
                  first->height, first->format, time_base_.num, time_base_.den, sar.num, sar.den);
  graph_ = BuildFilterGraph("buffer", source_args, "buffersink", description_, what_);
}

void VideoFilter::Send(AVFrame* frame) {
  if (!graph_.graph) {
    if (!frame) return;  // nothing was ever sent: nothing to drain
    Build(frame);
  }
  CheckAv(av_buffersrc_add_frame_flags(graph_.source, frame, AV_BUFFERSRC_FLAG_KEEP_REF),
          ExitCode::kDataError, fmt::format("{}: filtering", what_));
  if (frame) av_frame_unref(frame);
}

bool VideoFilter::Receive(AVFrame* frame) {
  if (!graph_.graph) return false;
  int ret = av_buffersink_get_frame(graph_.sink, frame);
  if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return false;
  CheckAv(ret, ExitCode::kDataError, fmt::format("{}: filtering", what_));
  // Deinterlacers halve the time base on their output (for their field-rate mode); frames
  // leave in the time base they came in with.
  if (frame->pts != AV_NOPTS_VALUE) {
    frame->pts = av_rescale_q(frame->pts, av_buffersink_get_time_base(graph_.sink), time_base_);
  }
  return true;
}

}  // namespace vodctl::media
