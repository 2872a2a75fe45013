// What one batch invocation (ingest, resume --all) did: its exit code, the line it prints when
// that is not 0, and the --report JSON for CI pipelines.
#pragma once

#include "vodctl/error.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace vodctl {

struct BatchJob {
  enum class Outcome { kDone, kFailed, kSkipped, kUnfinished };
  std::string id;
  std::string source;
  std::string output;
  Outcome outcome = Outcome::kSkipped;
  std::string reason;             // why it failed, was skipped or is unfinished
  ExitCode code = ExitCode::kOk;  // of a failed or unfinished job
  double seconds = 0;
};

class BatchReport {
 public:
  explicit BatchReport(std::string command);

  void Created(const std::string& id) { created_.push_back(id); }
  void Add(BatchJob job) { jobs_.push_back(std::move(job)); }

  // 0 when every job handled is done (or skipped); 75 when one is unfinished (interrupted,
  // or held up by another process); else the first failure's code, a bad source (65) last,
  // since any other failure says more about what needs fixing.
  ExitCode Code() const;
  // One line for stderr: the counts and the first failure.
  std::string Summary() const;
  nlohmann::json ToJson() const;
  // Written whole or not at all (a temporary file renamed), so CI never reads half a report.
  // Error(kIoError) naming the file when it cannot.
  void WriteFile(const std::string& path) const;

 private:
  int Count(BatchJob::Outcome outcome) const;

  std::string command_;
  std::chrono::steady_clock::time_point start_;
  std::vector<std::string> created_;
  std::vector<BatchJob> jobs_;
};

}  // namespace vodctl
