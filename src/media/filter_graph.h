// A libavfilter graph from one buffer source through a chain in libavfilter's syntax to one
// buffer sink: what VideoFilter and AudioFilter both run.
#pragma once

#include <memory>
#include <string>

extern "C" {
#include <libavfilter/avfilter.h>
}

namespace vodctl::media {

struct FilterGraphDeleter {
  void operator()(AVFilterGraph* g) const { avfilter_graph_free(&g); }
};
using FilterGraphPtr = std::unique_ptr<AVFilterGraph, FilterGraphDeleter>;

struct FilterGraph {
  FilterGraphPtr graph;
  AVFilterContext* source = nullptr;  // owned by graph
  AVFilterContext* sink = nullptr;    // owned by graph
};

// `source_filter` is "buffer" or "abuffer", `source_args` its options; `chain` runs from it to
// a "buffersink" or "abuffersink" (`sink_filter`). One thread: the filters used here give the
// same output either way, and chunks running side by side keep the cores busy. Errors name
// `what` and the chain; a chain the input cannot go through is Error(kDataError).
FilterGraph BuildFilterGraph(const char* source_filter, const std::string& source_args,
                             const char* sink_filter, const std::string& chain,
                             const std::string& what);

}  // namespace vodctl::media
