// What `ingest` finds under a source prefix: one job per source, named after its key.
#pragma once

#include "pipeline/batch.h"
#include "vodctl/state_store.h"

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace vodctl {

// --include / --exclude: shell globs (fnmatch) on the key below the source prefix, where '*'
// also matches '/'. No include means every key.
struct SourceFilter {
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  bool Matches(const std::string& key) const;
};

struct IngestSource {
  std::string key;     // below the source prefix
  std::string url;     // the source
  std::string job_id;  // IngestJobId(key, url)
  std::string output;  // OUTPUT_PREFIX/<job_id>
  // Its master playlist is there: a source whose job was pruned from the state is not
  // transcoded again.
  bool published = false;
};

// The sources under `source_prefix` (a local folder or s3:// prefix, absolute) that pass
// `filter`, sorted by key. Hidden names (a component starting with '.') are left out: they are
// how uploaders (rsync, browsers) write a file before renaming it into place.
std::vector<IngestSource> ListIngestSources(const std::string& source_prefix,
                                            const std::string& output_prefix,
                                            const SourceFilter& filter);

// Creates the job of every source that has none and whose output is not published, through
// `create` (which applies the job options), noting it in `report`. Returns the IDs of the
// jobs of all the sources, new and old, in order: the batch to run.
std::vector<std::string> CreateIngestJobs(
    StateStore& state, const std::vector<IngestSource>& sources,
    const std::function<void(const IngestSource&)>& create, BatchReport& report);

// --dry-run: a line per source, "create", "run" or "skip", with the job ID, the source and
// the output, and why a job would be skipped.
void PrintIngestPlan(StateStore& state, const std::vector<IngestSource>& sources,
                     const BatchOptions& options, std::ostream& out);

}  // namespace vodctl
