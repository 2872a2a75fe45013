// A copy of the job's plan and per-chunk results kept in its tmp storage, so that another
// host, with an empty state database but the same tmp (an S3 prefix), can take the job over:
// `vodctl resume --job ID --tmp URL`.
//
// Invariant: the mirror is never ahead of the artefacts it describes. plan.json is written
// after split's files are stored; results/NNNNN.json after chunk N's renditions are stored
// and before the state database marks the chunk done.
#pragma once

#include "pipeline/job_context.h"
#include "vodctl/state_store.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace vodctl {

// Writes plan.json: the job's identity, options, source metadata, chunk plan and split records.
void MirrorPlan(JobContext& context);
// Writes results/NNNNN.json: what transcoding chunk `index` stored.
void MirrorChunkResult(Storage& tmp, int index, const nlohmann::json& result);

// Marks done every chunk of job `id` that the state database does not have done but tmp holds
// a result for (another host transcoded it). Returns how many it marked.
int AdoptMirroredChunkResults(StateStore& state, const std::string& id, Storage& tmp);

// What a scheduler needs to size an array of transcode-chunk tasks: {"job", "chunks" (the
// count), "tmp", "output"}.
nlohmann::json PlanSummary(StateStore& state, const std::string& id);

// A plan.json read back: what ImportJobFromTmp puts in the state database.
struct MirroredPlan {
  std::string source;
  std::string output;
  JobOptions options;
  SourceInfo source_info;
  std::vector<ChunkPlan> chunks;
  nlohmann::json split;
};

// Parses the text of job `id`'s plan.json; `where` names the file in messages. The mirror
// sits in shared tmp storage, so anything may be there: Error(kUsage) when it is the plan of
// another job, Error(kDataError) when it is not a vodctl plan at all.
MirroredPlan ParseMirroredPlan(std::string_view text, const std::string& id,
                               const std::string& where);
// Parses a chunk's results/NNNNN.json. Error(kDataError) naming `where` when it is not JSON or
// not what transcode-chunk writes: an object of renditions, each {size, sha256, frames}.
nlohmann::json ParseMirroredChunkResult(std::string_view text, const std::string& where);

// Recreates job `id` in `state` from the mirror in `tmp_url` (the job's own tmp folder):
// split done, and every chunk with a mirrored result done (resume verifies each artefact
// before trusting it). Error(kUsage) when tmp holds no plan for that job.
void ImportJobFromTmp(StateStore& state, const std::string& id, const std::string& tmp_url);

}  // namespace vodctl
