// Everything a step needs about one job: its record, its storages, its derived plan.
#pragma once

#include "pipeline/rendition.h"
#include "vodctl/state_store.h"
#include "vodctl/storage.h"

#include <memory>
#include <string>
#include <vector>

namespace vodctl {

class JobContext {
 public:
  // Loads the job (Error(kUsage) if unknown) and opens its tmp and output storage.
  JobContext(StateStore& state, const std::string& job_id);

  StateStore& state() { return state_; }
  const JobRecord& job() const { return job_; }
  const std::string& id() const { return job_.id; }
  Storage& tmp() { return *tmp_; }
  Storage& output() { return *output_; }
  void Reload();

  // The source, read in place: from its file, or by ranged GETs for an s3:// one (valid
  // while this context lives). Error(kDataError) when the source is missing or empty.
  std::unique_ptr<RandomAccessReader> OpenSource();

  // Available once split has probed the source; Error(kSoftware) before.
  const SourceInfo& source() const;
  std::vector<Rendition> renditions() const;
  Timeline timeline() const;

 private:
  StateStore& state_;
  JobRecord job_;
  std::unique_ptr<Storage> tmp_;
  std::unique_ptr<Storage> output_;
  std::unique_ptr<Storage> source_folder_;  // remote sources: the storage their reader uses
};

// Where each intermediate file lives in the job's tmp storage.
namespace tmp_keys {
std::string Chunk(int index);                                   // chunks/00003.nut
std::string AudioSource();  // audio-source: the source's audio, copied by split (NUT or MKV)
std::string Audio();                                            // audio.nut
std::string RenditionChunk(const std::string& rendition, int index);  // renditions/720p/00003.nut
std::string RenditionFull(const std::string& rendition);       // renditions/720p/full.nut
std::string Plan();                                             // plan.json
std::string ChunkResult(int index);                             // results/00003.json
}  // namespace tmp_keys

}  // namespace vodctl
