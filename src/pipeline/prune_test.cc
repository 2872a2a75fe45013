#include "pipeline/prune.h"

#include "test_support.h"
#include "vodctl/error.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

namespace vodctl {
namespace {

namespace fs = std::filesystem;

TEST_CASE("ParseAge reads a number and a unit") {
  CHECK(ParseAge("0") == 0);
  CHECK(ParseAge("45s") == 45'000);
  CHECK(ParseAge("30m") == 1'800'000);
  CHECK(ParseAge("12h") == 43'200'000);
  CHECK(ParseAge("7d") == 604'800'000);
  CHECK(ParseAge("2w") == 1'209'600'000);
  for (const char* bad : {"", "7", "d", "7x", "-1d", "1.5h", "7dd", "9999999999d"}) {
    CHECK_THROWS_MATCHES(ParseAge(bad), Error, testing::IsError(ExitCode::kUsage, "invalid age"));
  }
}

struct PruneFixture {
  PruneFixture() {
    store = OpenSqliteStateStore(db);
    for (const char* id : {"done", "failed", "pending", "held"}) {
      JobOptions options;
      options.tmp = (folder.path() / "tmp" / id).string();
      store->CreateOrCheckJob(id, "/in.mp4", "/out", options);
      fs::create_directories(options.tmp);
      std::ofstream(options.tmp + "/chunk") << std::string(100, 'x');
    }
    store->SetJobState("done", JobState::kDone);
    store->SetJobState("failed", JobState::kFailed, "broken");
    store->SetJobState("held", JobState::kDone);
    REQUIRE_FALSE(store->AcquireJobLock("held", "elsewhere:1", 60'000).has_value());
  }
  bool HasTmp(const char* id) { return fs::exists(folder.path() / "tmp" / id); }

  testing::TempFolder folder;
  std::string db = (folder.path() / "state.db").string();
  std::unique_ptr<StateStore> store;
  RunnerOptions runner = [this] {
    RunnerOptions options;
    options.state_path = db;
    return options;
  }();
};

TEST_CASE("Prune frees done jobs nobody holds and leaves unfinished ones alone") {
  PruneFixture f;
  PruneResult result = Prune(*f.store, f.runner, {.older_than_ms = 0, .failed = false});
  CHECK(result.jobs == 1);
  CHECK(result.bytes == 100);
  CHECK_FALSE(f.HasTmp("done"));
  CHECK_FALSE(f.store->FindJob("done").has_value());
  for (const char* kept : {"failed", "pending", "held"}) {
    CHECK(f.HasTmp(kept));
    CHECK(f.store->FindJob(kept).has_value());
  }
}

TEST_CASE("Prune --failed frees failed jobs too, and the age limit protects recent ones") {
  PruneFixture f;
  CHECK(Prune(*f.store, f.runner, {.older_than_ms = 3'600'000, .failed = true}).jobs == 0);
  PruneResult result = Prune(*f.store, f.runner, {.older_than_ms = 0, .failed = true});
  CHECK(result.jobs == 2);
  CHECK(result.bytes == 200);
  CHECK_FALSE(f.HasTmp("failed"));
  CHECK(f.HasTmp("pending"));
}

}  // namespace
}  // namespace vodctl
