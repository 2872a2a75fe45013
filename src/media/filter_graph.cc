#include "media/filter_graph.h"

#include "media/av_error.h"

extern "C" {
#include <libavutil/mem.h>
}

#include <new>

namespace vodctl::media {

FilterGraph BuildFilterGraph(const char* source_filter, const std::string& source_args,
                             const char* sink_filter, const std::string& chain,
                             const std::string& what) {
  FilterGraph out;
  out.graph.reset(avfilter_graph_alloc());
  if (!out.graph) throw std::bad_alloc();
  out.graph->nb_threads = 1;
  const std::string context = fmt::format("{}: filter '{}'", what, chain);
  CheckAv(avfilter_graph_create_filter(&out.source, avfilter_get_by_name(source_filter), "in",
                                       source_args.c_str(), nullptr, out.graph.get()),
          ExitCode::kSoftware, context);
  CheckAv(avfilter_graph_create_filter(&out.sink, avfilter_get_by_name(sink_filter), "out",
                                       nullptr, nullptr, out.graph.get()),
          ExitCode::kSoftware, context);
  AVFilterInOut* outputs = avfilter_inout_alloc();
  AVFilterInOut* inputs = avfilter_inout_alloc();
  if (!outputs || !inputs) {
    avfilter_inout_free(&outputs);
    avfilter_inout_free(&inputs);
    throw std::bad_alloc();
  }
  outputs->name = av_strdup("in");
  outputs->filter_ctx = out.source;
  inputs->name = av_strdup("out");
  inputs->filter_ctx = out.sink;
  int ret = avfilter_graph_parse_ptr(out.graph.get(), chain.c_str(), &inputs, &outputs, nullptr);
  avfilter_inout_free(&outputs);
  avfilter_inout_free(&inputs);
  CheckAv(ret, ExitCode::kSoftware, context);
  CheckAv(avfilter_graph_config(out.graph.get(), nullptr), ExitCode::kDataError, context);
  return out;
}

}  // namespace vodctl::media
