// What `ingest` finds under a source prefix: one job per source, named after its key.
#pragma once

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

}  // namespace vodctl
