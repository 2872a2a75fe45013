#include "pipeline/ingest.h"

#include "pipeline/job_id.h"
#include "vodctl/storage.h"

#include <fnmatch.h>

#include <algorithm>
#include <optional>

namespace vodctl {
namespace {

bool AnyMatches(const std::vector<std::string>& globs, const std::string& key) {
  return std::any_of(globs.begin(), globs.end(), [&](const std::string& glob) {
    return fnmatch(glob.c_str(), key.c_str(), 0) == 0;
  });
}

bool IsHidden(const std::string& key) {
  return key.starts_with('.') || key.find("/.") != std::string::npos;
}

std::string Join(std::string prefix, const std::string& key) {
  while (prefix.size() > 1 && prefix.ends_with('/')) prefix.pop_back();
  return prefix + "/" + key;
}

}  // namespace

bool SourceFilter::Matches(const std::string& key) const {
  return (include.empty() || AnyMatches(include, key)) && !AnyMatches(exclude, key);
}

std::vector<IngestSource> ListIngestSources(const std::string& source_prefix,
                                            const std::string& output_prefix,
                                            const SourceFilter& filter) {
  std::vector<IngestSource> sources;
  // Listed before the output is opened, which creates a local output folder.
  std::vector<ObjectInfo> objects = OpenExistingStorage(source_prefix)->List("");
  std::unique_ptr<Storage> output = OpenStorage(output_prefix);
  for (const ObjectInfo& object : objects) {
    // A key ending in '/' is a folder marker some S3 tools create, not a source.
    if (object.key.ends_with('/') || IsHidden(object.key) || !filter.Matches(object.key)) continue;
    IngestSource& source = sources.emplace_back();
    source.key = object.key;
    source.url = Join(source_prefix, object.key);
    source.job_id = IngestJobId(source.key, source.url);
    source.output = Join(output_prefix, source.job_id);
    source.published = output->Stat(source.job_id + "/master.m3u8").has_value();
  }
  return sources;
}

std::vector<std::string> CreateIngestJobs(
    StateStore& state, const std::vector<IngestSource>& sources,
    const std::function<void(const IngestSource&)>& create, BatchReport& report) {
  std::vector<std::string> ids;
  for (const IngestSource& source : sources) {
    if (!state.FindJob(source.job_id)) {
      if (source.published) continue;
      create(source);
      report.Created(source.job_id);
    }
    ids.push_back(source.job_id);
  }
  return ids;
}

void PrintIngestPlan(StateStore& state, const std::vector<IngestSource>& sources,
                     const BatchOptions& options, std::ostream& out) {
  for (const IngestSource& source : sources) {
    std::optional<JobRecord> job = state.FindJob(source.job_id);
    if (!job && source.published) continue;
    std::optional<std::string> skip = job ? SkipReason(*job, options) : std::nullopt;
    out << (!job ? "create " : skip ? "skip " : "run ") << source.job_id << ' ' << source.url
        << " -> " << source.output << (skip ? ": " + *skip : "") << '\n';
  }
}

}  // namespace vodctl
