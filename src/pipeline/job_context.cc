#include "pipeline/job_context.h"

#include "vodctl/error.h"

#include <filesystem>

namespace vodctl {

JobContext::JobContext(StateStore& state, const std::string& job_id)
    : state_(state), job_(state.GetJob(job_id)) {
  tmp_ = OpenStorage(job_.options.tmp);
  output_ = OpenOutputStorage(job_.output, job_.options.publish);
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
std::string AudioSource() { return "audio-source"; }
std::string Audio() { return "audio.nut"; }
std::string RenditionChunk(const std::string& rendition, int index) {
  return fmt::format("renditions/{}/{:05d}.nut", rendition, index);
}
std::string RenditionFull(const std::string& rendition) {
  return fmt::format("renditions/{}/full.nut", rendition);
}
std::string Plan() { return "plan.json"; }
std::string ChunkResult(int index) { return fmt::format("results/{:05d}.json", index); }
}  // namespace tmp_keys

std::unique_ptr<RandomAccessReader> JobContext::OpenSource() {
  const std::string& url = job_.source;
  constexpr std::string_view kFileScheme = "file://";
  if (url.find("://") == std::string::npos || url.starts_with(kFileScheme)) {
    std::string path = url.starts_with(kFileScheme) ? url.substr(kFileScheme.size()) : url;
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
      Fail(ExitCode::kNoInput, "source '{}' does not exist", path);
    }
    std::unique_ptr<RandomAccessReader> reader = OpenLocalFileForRead(path);
    if (reader->size() == 0) Fail(ExitCode::kDataError, "source '{}' is empty", path);
    return reader;
  }
  const size_t slash = url.rfind('/');
  const std::string name = url.substr(slash + 1);
  source_folder_ = OpenStorage(url.substr(0, slash));
  std::optional<ObjectInfo> info = name.empty() ? std::nullopt : source_folder_->Stat(name);
  if (!info) Fail(ExitCode::kNoInput, "source '{}' does not exist", url);
  if (info->size == 0) Fail(ExitCode::kDataError, "source '{}' is empty", url);
  return source_folder_->OpenForRead(name);
}

}  // namespace vodctl
