#include "pipeline/status_report.h"

#include "notify/redact_url.h"
#include "vodctl/storage.h"

#include <fmt/format.h>

namespace vodctl {
namespace {

// Bytes of intermediate files the job still holds; 0 when its tmp is gone or unreadable.
int64_t TmpBytes(const JobRecord& job) {
  if (job.state == JobState::kDone && !job.options.keep_tmp) return 0;  // removed when done
  try {
    int64_t total = 0;
    for (const ObjectInfo& object : OpenStorage(job.options.tmp)->List("")) total += object.size;
    return total;
  } catch (const std::exception&) {
    return 0;
  }
}

const char* CurrentStep(const JobRecord& job) {
  for (Step step : kAllSteps) {
    auto it = job.steps.find(step);
    if (it == job.steps.end() || it->second != StepState::kDone) return ToString(step);
  }
  return "-";
}

}  // namespace

nlohmann::json JobStatusJson(StateStore& state, const JobRecord& job) {
  nlohmann::json out;
  out["job"] = job.id;
  out["state"] = ToString(job.state);
  out["error"] = job.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(job.error);
  out["source"] = job.source;
  out["output"] = job.output;
  out["options"] = job.options;
  out["steps"] = nlohmann::json::object();
  for (Step step : kAllSteps) {
    auto it = job.steps.find(step);
    out["steps"][ToString(step)] = {
        {"state", ToString(it == job.steps.end() ? StepState::kPending : it->second)}};
  }
  out["chunks"] = nlohmann::json::array();
  for (const ChunkRecord& chunk : state.ListChunks(job.id)) {
    out["chunks"].push_back({{"index", chunk.plan.index},
                             {"state", ToString(chunk.state)},
                             {"attempts", chunk.attempts},
                             {"frames", chunk.plan.input_frames},
                             {"start_pts", chunk.plan.start_pts},
                             {"end_pts", chunk.plan.end_pts},
                             {"lease_owner", chunk.lease_owner.empty() ? nlohmann::json(nullptr)
                                                                       : nlohmann::json(chunk.lease_owner)},
                             {"error", chunk.error.empty() ? nlohmann::json(nullptr)
                                                           : nlohmann::json(chunk.error)},
                             {"result", chunk.result}});
  }
  out["source_info"] = job.source_info ? nlohmann::json(*job.source_info) : nlohmann::json(nullptr);
  out["result"] = job.result;
  out["tmp"] = job.options.tmp;
  out["tmp_bytes"] = TmpBytes(job);
  out["created_at_ms"] = job.created_at_ms;
  out["updated_at_ms"] = job.updated_at_ms;
  // Where the job's events go and how that went; URLs without their credentials.
  const DeliverySummary deliveries = state.SummariseDeliveries(job.id);
  nlohmann::json urls = nlohmann::json::array();
  for (const std::string& url : job.notify.urls) urls.push_back(notify::RedactUrl(url));
  out["notify"] = {{"urls", urls},
                   {"delivered", deliveries.delivered},
                   {"pending", deliveries.pending},
                   {"failed", deliveries.failed},
                   {"last_error", deliveries.last_error.empty()
                                      ? nlohmann::json(nullptr)
                                      : nlohmann::json(deliveries.last_error)}};
  return out;
}

std::string JobStatusTable(StateStore& state, const std::vector<JobRecord>& jobs) {
  std::string table = fmt::format("{:<32} {:<8} {:<10} {:>9} {:>10}  {}\n", "JOB", "STATE", "STEP",
                                  "CHUNKS", "TMP", "OUTPUT");
  for (const JobRecord& job : jobs) {
    auto chunks = state.ListChunks(job.id);
    size_t done = 0;
    for (const ChunkRecord& chunk : chunks) done += chunk.state == ChunkState::kDone;
    table += fmt::format("{:<32} {:<8} {:<10} {:>9} {:>9}M  {}\n", job.id, ToString(job.state),
                         CurrentStep(job), fmt::format("{}/{}", done, chunks.size()),
                         TmpBytes(job) >> 20, job.output);
    if (!job.error.empty()) table += fmt::format("  error: {}\n", job.error);
    const DeliverySummary deliveries = state.SummariseDeliveries(job.id);
    if (deliveries.pending > 0 || deliveries.failed > 0) {
      table += fmt::format("  notify: {} delivered, {} pending, {} given up{}\n",
                           deliveries.delivered, deliveries.pending, deliveries.failed,
                           deliveries.last_error.empty() ? "" : "; last: " + deliveries.last_error);
    }
  }
  return table;
}

}  // namespace vodctl
