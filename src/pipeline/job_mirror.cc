#include "pipeline/job_mirror.h"

#include "vodctl/error.h"
#include "vodctl/log.h"

namespace vodctl {

// plan.json spells a chunk's plan with the member names.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ChunkPlan, index, start_pts, end_pts, first_slot, end_slot,
                                   input_frames)

void MirrorPlan(JobContext& context) {
  context.Reload();
  const JobRecord& job = context.job();
  nlohmann::json plan = {{"job", job.id},
                         {"source", job.source},
                         {"output", job.output},
                         {"options", job.options},
                         {"source_info", context.source()},
                         {"split", job.result.value("split", nlohmann::json())},
                         {"chunks", nlohmann::json::array()}};
  for (const ChunkRecord& chunk : context.state().ListChunks(job.id)) {
    plan["chunks"].push_back(chunk.plan);
  }
  context.tmp().Write(tmp_keys::Plan(), plan.dump(2));
}

void MirrorChunkResult(Storage& tmp, int index, const nlohmann::json& result) {
  tmp.Write(tmp_keys::ChunkResult(index), result.dump(2));
}

int AdoptMirroredChunkResults(StateStore& state, const std::string& id, Storage& tmp) {
  int adopted = 0;
  for (const ChunkRecord& chunk : state.ListChunks(id)) {
    if (chunk.state == ChunkState::kDone) continue;
    const std::string key = tmp_keys::ChunkResult(chunk.plan.index);
    if (!tmp.Stat(key)) continue;
    nlohmann::json result;
    try {
      result = nlohmann::json::parse(tmp.Read(key));
    } catch (const nlohmann::json::exception& error) {
      Fail(ExitCode::kDataError, "job '{}' chunk {}: {} is not a chunk result: {}", id,
           chunk.plan.index, tmp.Describe(key), error.what());
    }
    state.CompleteChunk(id, chunk.plan.index, result);
    ++adopted;
  }
  return adopted;
}

nlohmann::json PlanSummary(StateStore& state, const std::string& id) {
  const JobRecord job = state.GetJob(id);
  return {{"job", job.id},
          {"chunks", state.ListChunks(id).size()},
          {"tmp", job.options.tmp},
          {"output", job.output}};
}

void ImportJobFromTmp(StateStore& state, const std::string& id, const std::string& tmp_url) {
  std::unique_ptr<Storage> tmp = OpenStorage(tmp_url);
  if (!tmp->Stat(tmp_keys::Plan())) {
    Fail(ExitCode::kUsage, "no job '{}' in the state database, and {} holds no plan for it", id,
         tmp->Describe(tmp_keys::Plan()));
  }
  nlohmann::json plan;
  try {
    plan = nlohmann::json::parse(tmp->Read(tmp_keys::Plan()));
    if (plan.at("job").get<std::string>() != id) {
      Fail(ExitCode::kUsage, "{} is the plan of job '{}', not '{}'", tmp->Describe(tmp_keys::Plan()),
           plan.at("job").get<std::string>(), id);
    }
    JobOptions options = plan.at("options").get<JobOptions>();
    options.tmp = tmp_url;  // where it is now, whatever it was called on the first host
    state.CreateOrCheckJob(id, plan.at("source").get<std::string>(),
                           plan.at("output").get<std::string>(), options);
    state.SetSourceInfo(id, plan.at("source_info").get<SourceInfo>());
    std::vector<ChunkPlan> chunks;
    for (const auto& chunk : plan.at("chunks")) chunks.push_back(chunk.get<ChunkPlan>());
    state.SetChunks(id, chunks);
    state.SetJobResult(id, {{"split", plan.at("split")}});
  } catch (const nlohmann::json::exception& error) {
    Fail(ExitCode::kDataError, "{} is not a vodctl plan: {}", tmp->Describe(tmp_keys::Plan()),
         error.what());
  }
  state.SetStepState(id, Step::kSplit, StepState::kDone);
  const int imported = AdoptMirroredChunkResults(state, id, *tmp);
  state.AddEvent(id, "job-imported", std::nullopt,
                 fmt::format("from {} with {} chunks done", tmp->url(), imported));
  log::Info("job '{}': taken over from {}: {} of {} chunks already done", id, tmp->url(),
            imported, state.ListChunks(id).size());
}

}  // namespace vodctl
