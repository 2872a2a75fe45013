#include "pipeline/job_context.h"

#include "vodctl/error.h"

namespace vodctl {

JobContext::JobContext(StateStore& state, const std::string& job_id)
    : state_(state), job_(state.GetJob(job_id)) {
  tmp_ = OpenStorage(job_.options.tmp);
  output_ = OpenStorage(job_.output);
}

void JobContext::Reload() { job_ = state_.GetJob(job_.id); }

const SourceInfo& JobContext::source() const {
  if (!job_.source_info) Fail(ExitCode::kSoftware, "job '{}': the source was not probed yet", job_.id);
  return *job_.source_info;
}

std::vector<Rendition> JobContext::renditions() const {
  return ResolveRenditions(job_.options.ladder, source().video);
}

Timeline JobContext::timeline() const {
  return Timeline(OutputFrameRate(source().video), job_.options.segment_duration);
}

namespace tmp_keys {
std::string Chunk(int index) { return fmt::format("chunks/{:05d}.nut", index); }
std::string Audio() { return "audio.nut"; }
std::string RenditionChunk(const std::string& rendition, int index) {
  return fmt::format("renditions/{}/{:05d}.nut", rendition, index);
}
std::string RenditionFull(const std::string& rendition) {
  return fmt::format("renditions/{}/full.nut", rendition);
}
std::string Plan() { return "plan.json"; }
}  // namespace tmp_keys

std::string SourceLocalPath(const std::string& url) {
  constexpr std::string_view kFileScheme = "file://";
  if (url.starts_with(kFileScheme)) return url.substr(kFileScheme.size());
  if (url.find("://") != std::string::npos) {
    Fail(ExitCode::kUsage, "unsupported source URL '{}': only local paths and file:// for now", url);
  }
  return url;
}

}  // namespace vodctl
