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
  graph_.reset(avfilter_graph_alloc());
  if (!graph_) throw std::bad_alloc();
  // One thread: the filters used here give the same pixels either way, and chunks running
  // side by side keep the cores busy.
  graph_->nb_threads = 1;
  const AVRational sar = first->sample_aspect_ratio.num > 0 ? first->sample_aspect_ratio
                                                             : AVRational{1, 1};
  const std::string source_args =
      fmt::format("video_size={}x{}:pix_fmt={}:time_base={}/{}:pixel_aspect={}/{}", first->width,
                  first->height, first->format, time_base_.num, time_base_.den, sar.num, sar.den);
  const std::string context = fmt::format("{}: filter '{}'", what_, description_);
  CheckAv(avfilter_graph_create_filter(&source_, avfilter_get_by_name("buffer"), "in",
                                       source_args.c_str(), nullptr, graph_.get()),
          ExitCode::kSoftware, context);
  CheckAv(avfilter_graph_create_filter(&sink_, avfilter_get_by_name("buffersink"), "out", nullptr,
                                       nullptr, graph_.get()),
          ExitCode::kSoftware, context);
  AVFilterInOut* outputs = avfilter_inout_alloc();
  AVFilterInOut* inputs = avfilter_inout_alloc();
  if (!outputs || !inputs) {
    avfilter_inout_free(&outputs);
    avfilter_inout_free(&inputs);
    throw std::bad_alloc();
  }
  outputs->name = av_strdup("in");
  outputs->filter_ctx = source_;
  inputs->name = av_strdup("out");
  inputs->filter_ctx = sink_;
  int ret = avfilter_graph_parse_ptr(graph_.get(), description_.c_str(), &inputs, &outputs, nullptr);
  avfilter_inout_free(&outputs);
  avfilter_inout_free(&inputs);
  CheckAv(ret, ExitCode::kSoftware, context);
  CheckAv(avfilter_graph_config(graph_.get(), nullptr), ExitCode::kDataError, context);
}

void VideoFilter::Send(AVFrame* frame) {
  if (!graph_) {
    if (!frame) return;  // nothing was ever sent: nothing to drain
    Build(frame);
  }
  CheckAv(av_buffersrc_add_frame_flags(source_, frame, AV_BUFFERSRC_FLAG_KEEP_REF),
          ExitCode::kDataError, fmt::format("{}: filtering", what_));
  if (frame) av_frame_unref(frame);
}

bool VideoFilter::Receive(AVFrame* frame) {
  if (!graph_) return false;
  int ret = av_buffersink_get_frame(sink_, frame);
  if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return false;
  CheckAv(ret, ExitCode::kDataError, fmt::format("{}: filtering", what_));
  // Deinterlacers halve the time base on their output (for their field-rate mode); frames
  // leave in the time base they came in with.
  if (frame->pts != AV_NOPTS_VALUE) {
    frame->pts = av_rescale_q(frame->pts, av_buffersink_get_time_base(sink_), time_base_);
  }
  return true;
}

}  // namespace vodctl::media
