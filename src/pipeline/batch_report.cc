#include "pipeline/batch_report.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace vodctl {
namespace {

const char* ToString(BatchJob::Outcome outcome) {
  switch (outcome) {
    case BatchJob::Outcome::kDone: return "done";
    case BatchJob::Outcome::kFailed: return "failed";
    case BatchJob::Outcome::kSkipped: return "skipped";
    case BatchJob::Outcome::kUnfinished: return "unfinished";
  }
  return "?";
}

std::string MasterPlaylistUrl(std::string output) {
  if (!output.ends_with('/')) output += '/';
  return output + "master.m3u8";
}

}  // namespace

BatchReport::BatchReport(std::string command)
    : command_(std::move(command)), start_(std::chrono::steady_clock::now()) {}

int BatchReport::Count(BatchJob::Outcome outcome) const {
  int count = 0;
  for (const BatchJob& job : jobs_) count += job.outcome == outcome;
  return count;
}

ExitCode BatchReport::Code() const {
  if (Count(BatchJob::Outcome::kUnfinished) > 0) return ExitCode::kTempFail;
  for (const BatchJob& job : jobs_) {
    if (job.outcome == BatchJob::Outcome::kFailed && job.code != ExitCode::kDataError) {
      return job.code;
    }
  }
  return Count(BatchJob::Outcome::kFailed) > 0 ? ExitCode::kDataError : ExitCode::kOk;
}

std::string BatchReport::Summary() const {
  std::string summary = fmt::format(
      "{}: {} created, {} done, {} failed, {} skipped, {} unfinished", command_, created_.size(),
      Count(BatchJob::Outcome::kDone), Count(BatchJob::Outcome::kFailed),
      Count(BatchJob::Outcome::kSkipped), Count(BatchJob::Outcome::kUnfinished));
  for (const BatchJob& job : jobs_) {
    if (job.outcome == BatchJob::Outcome::kFailed ||
        job.outcome == BatchJob::Outcome::kUnfinished) {
      return fmt::format("{}; first: job '{}': {}", summary, job.id, job.reason);
    }
  }
  return summary;
}

nlohmann::json BatchReport::ToJson() const {
  using nlohmann::json;
  json jobs = json::array();
  for (const BatchJob& job : jobs_) {
    json entry = {{"job", job.id},
                  {"source", job.source},
                  {"output", job.output},
                  {"state", ToString(job.outcome)},
                  {"seconds", job.seconds}};
    if (job.outcome == BatchJob::Outcome::kDone) entry["url"] = MasterPlaylistUrl(job.output);
    if (!job.reason.empty()) entry["reason"] = job.reason;
    if (job.code != ExitCode::kOk) entry["exit_code"] = static_cast<int>(job.code);
    jobs.push_back(std::move(entry));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return {{"command", command_},
          {"exit_code", static_cast<int>(Code())},
          {"seconds", seconds},
          {"created", created_},
          {"counts",
           {{"created", created_.size()},
            {"done", Count(BatchJob::Outcome::kDone)},
            {"failed", Count(BatchJob::Outcome::kFailed)},
            {"skipped", Count(BatchJob::Outcome::kSkipped)},
            {"unfinished", Count(BatchJob::Outcome::kUnfinished)}}},
          {"jobs", jobs}};
}

void BatchReport::WriteFile(const std::string& path) const {
  const std::string partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::trunc);
    out << ToJson().dump(2) << '\n';
    out.close();
    if (!out) {
      std::remove(partial.c_str());
      Fail(ExitCode::kIoError, "cannot write the report {}: {}", partial, std::strerror(errno));
    }
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(partial.c_str());
    Fail(ExitCode::kIoError, "cannot write the report {}: {}", path, std::strerror(error));
  }
}

}  // namespace vodctl
