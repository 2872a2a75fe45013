#include "pipeline/job_mirror.h"

#include <cmath>

#include "pipeline/artefact.h"
#include "vodctl/error.h"
#include "vodctl/log.h"

namespace vodctl {

// plan.json spells a chunk's plan with the member names.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ChunkPlan, index, start_pts, end_pts, first_slot, end_slot,
                                   input_frames)

namespace {

// nlohmann::json turns a floating-point number into an integer member with a plain cast, which
// is undefined behaviour when the value is outside the integer's range (1e82 as a width).
// vodctl writes integers as integers, and its floating-point values (durations in seconds)
// are far below 2^31, so a larger one cannot come from a vodctl plan.
// ParseMirroredPlan adds where it was read from.
void RequireFloatsInIntRange(const nlohmann::json& value) {
  if (value.is_structured()) {
    for (const nlohmann::json& element : value) RequireFloatsInIntRange(element);
  } else if (value.is_number_float() && !(std::abs(value.get<double>()) < 0x1p31)) {
    Fail(ExitCode::kDataError, "the number {} is out of range", value.dump());
  }
}

// A chunk result: an object of renditions, each recorded with its frame count.
void RequireChunkResultShape(const nlohmann::json& result, const std::string& where) {
  if (!result.is_object()) {
    Fail(ExitCode::kDataError, "{} is not a vodctl chunk result: not a JSON object", where);
  }
  for (const auto& [rendition, record] : result.items()) {
    if (auto problem = ArtefactRecordProblem(record, /*with_frames=*/true)) {
      Fail(ExitCode::kDataError, "{} is not a vodctl chunk result: rendition '{}' {}", where,
           rendition, *problem);
    }
  }
}

// Split's records: {"chunks": [a record per chunk], "audio_source": a record, or null when the
// source has no audio}. ParseMirroredPlan adds where it was read from.
void RequireSplitShape(const nlohmann::json& split) {
  const auto bad = [&](std::string_view why) { Fail(ExitCode::kDataError, "split {}", why); };
  if (!split.is_object() || !split.contains("chunks") || !split.at("chunks").is_array()) {
    bad("has no list of chunks");
  }
  const nlohmann::json& chunks = split.at("chunks");
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (auto problem = ArtefactRecordProblem(chunks[i], /*with_frames=*/false)) {
      bad(fmt::format("chunk {} {}", i, *problem));
    }
  }
  const nlohmann::json audio = split.value("audio_source", nlohmann::json());
  if (!audio.is_null()) {
    if (auto problem = ArtefactRecordProblem(audio, /*with_frames=*/false)) {
      bad(fmt::format("audio_source {}", *problem));
    }
  }
}

}  // namespace

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
    const std::string where =
        fmt::format("job '{}' chunk {}: {}", id, chunk.plan.index, tmp.Describe(key));
    state.AdoptChunkResult(id, chunk.plan.index, ParseMirroredChunkResult(tmp.Read(key), where));
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

MirroredPlan ParseMirroredPlan(std::string_view text, const std::string& id,
                               const std::string& where) {
  try {
    const nlohmann::json plan = nlohmann::json::parse(text);
    if (plan.at("job").get<std::string>() != id) {
      Fail(ExitCode::kUsage, "{} is the plan of job '{}', not '{}'", where,
           plan.at("job").get<std::string>(), id);
    }
    for (const char* typed : {"options", "source_info", "chunks"}) {
      RequireFloatsInIntRange(plan.at(typed));
    }
    MirroredPlan parsed{.source = plan.at("source").get<std::string>(),
                        .output = plan.at("output").get<std::string>(),
                        .options = plan.at("options").get<JobOptions>(),
                        .source_info = plan.at("source_info").get<SourceInfo>(),
                        .chunks = {},
                        .split = plan.at("split")};
    for (const auto& chunk : plan.at("chunks")) parsed.chunks.push_back(chunk.get<ChunkPlan>());
    RequireSplitShape(parsed.split);
    if (parsed.split.at("chunks").size() != parsed.chunks.size()) {
      Fail(ExitCode::kDataError, "{} chunks but {} split records", parsed.chunks.size(),
           parsed.split.at("chunks").size());
    }
    return parsed;
  } catch (const nlohmann::json::exception& error) {
    Fail(ExitCode::kDataError, "{} is not a vodctl plan: {}", where, error.what());
  } catch (const Error& error) {
    // A bad value (a ladder) says what is wrong but not where it was read from.
    if (error.code() != ExitCode::kDataError) throw;
    Fail(ExitCode::kDataError, "{} is not a vodctl plan: {}", where, error.what());
  }
}

nlohmann::json ParseMirroredChunkResult(std::string_view text, const std::string& where) {
  nlohmann::json result;
  try {
    result = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& error) {
    Fail(ExitCode::kDataError, "{} is not a vodctl chunk result: {}", where, error.what());
  }
  RequireChunkResultShape(result, where);
  return result;
}

void ImportJobFromTmp(StateStore& state, const std::string& id, const std::string& tmp_url) {
  std::unique_ptr<Storage> tmp = OpenStorage(tmp_url);
  if (!tmp->Stat(tmp_keys::Plan())) {
    Fail(ExitCode::kUsage, "no job '{}' in the state database, and {} holds no plan for it", id,
         tmp->Describe(tmp_keys::Plan()));
  }
  const MirroredPlan plan =
      ParseMirroredPlan(tmp->Read(tmp_keys::Plan()), id, tmp->Describe(tmp_keys::Plan()));
  JobOptions options = plan.options;
  options.tmp = tmp_url;  // where it is now, whatever it was called on the first host
  state.CreateOrCheckJob(id, plan.source, plan.output, options);
  state.SetSourceInfo(id, plan.source_info);
  state.SetChunks(id, plan.chunks);
  state.SetJobResult(id, {{"split", plan.split}});
  state.SetStepState(id, Step::kSplit, StepState::kDone);
  const int imported = AdoptMirroredChunkResults(state, id, *tmp);
  state.AddEvent(id, "job-imported", std::nullopt,
                 fmt::format("from {} with {} chunks done", tmp->url(), imported));
  log::Info("job '{}': taken over from {}: {} of {} chunks already done", id, tmp->url(),
            imported, state.ListChunks(id).size());
}

}  // namespace vodctl
