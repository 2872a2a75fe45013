#include "media/audio_filter.h"

#include "media/av_error.h"

extern "C" {
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/channel_layout.h>
}

namespace vodctl::media {
namespace {

std::string LayoutName(const AVChannelLayout& layout, const std::string& what) {
  char name[128];
  CheckAv(av_channel_layout_describe(&layout, name, sizeof(name)), ExitCode::kSoftware, what);
  return name;
}

}  // namespace

AudioFilter::AudioFilter(const std::string& chain, int sample_rate, const AVChannelLayout& layout,
                         std::optional<int> frame_size, std::string what)
    : what_(std::move(what)) {
  const std::string layout_name = LayoutName(layout, what_);
  const std::string source_args =
      fmt::format("time_base=1/{}:sample_rate={}:sample_fmt=fltp:channel_layout={}", sample_rate,
                  sample_rate, layout_name);
  // Out as in: planar float at the same rate and layout, whatever the filters work in.
  const std::string full_chain = fmt::format(
      "{},aformat=sample_fmts=fltp:sample_rates={}:channel_layouts={}", chain, sample_rate,
      layout_name);
  graph_ = BuildFilterGraph("abuffer", source_args, "abuffersink", full_chain, what_);
  if (frame_size) av_buffersink_set_frame_size(graph_.sink, static_cast<unsigned>(*frame_size));
}

void AudioFilter::Send(const AVFrame* frame) {
  CheckAv(av_buffersrc_add_frame_flags(graph_.source, const_cast<AVFrame*>(frame),
                                       AV_BUFFERSRC_FLAG_KEEP_REF),
          ExitCode::kSoftware, fmt::format("{}: filtering", what_));
}

bool AudioFilter::Receive(AVFrame* frame) {
  int ret = av_buffersink_get_frame(graph_.sink, frame);
  if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return false;
  CheckAv(ret, ExitCode::kSoftware, fmt::format("{}: filtering", what_));
  return true;
}

}  // namespace vodctl::media
