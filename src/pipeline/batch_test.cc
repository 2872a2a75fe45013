#include "pipeline/batch.h"

#include "test_support.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace vodctl {
namespace {

TEST_CASE("A batch skips a job removed since it was listed", "[batch]") {
  testing::TempFolder folder;
  const std::string db = (folder.path() / "state.db").string();
  auto store = OpenSqliteStateStore(db);
  store->CreateOrCheckJob("kept", "/in.mp4", "/out", JobOptions{});
  store->SetJobState("kept", JobState::kDone);

  // `resume --all` listed "pruned", then a concurrent `prune` removed it.
  BatchReport report("resume --all");
  BatchRunner(*store, RunnerOptions{.state_path = db}, BatchOptions{.retry_failed = true})
      .Run({"pruned", "kept"}, report);
  CHECK(report.Code() == ExitCode::kOk);
  const nlohmann::json json = report.ToJson();
  INFO(json.dump());
  CHECK(json.dump().find("removed (by a prune) since it was listed") != std::string::npos);
  CHECK(json.dump().find("done already") != std::string::npos);  // the batch went on
}

}  // namespace
}  // namespace vodctl
