#include "pipeline/job_mirror.h"

#include "vodctl/error.h"

#include <catch2/catch.hpp>

#include "test_support.h"

#include <string>
#include <vector>

namespace vodctl {
namespace {

using testing::ErrorFrom;
using testing::IsError;
using testing::TempFolder;

// Job "j1" with three chunks planned, in a fresh database, and its tmp folder.
struct Fixture {
  Fixture() {
    JobOptions options;
    options.tmp = (folder.path() / "tmp").string();
    state->CreateOrCheckJob("j1", "/in.mp4", "/out", options);
    std::vector<ChunkPlan> plans;
    for (int i = 0; i < 3; ++i) plans.push_back({.index = i, .end_slot = 1, .input_frames = 1});
    state->SetChunks("j1", plans);
    tmp = OpenStorage(options.tmp);
  }

  ChunkState StateOf(int index) { return state->ListChunks("j1").at(index).state; }

  TempFolder folder;
  std::unique_ptr<StateStore> state = OpenSqliteStateStore((folder.path() / "db").string());
  std::unique_ptr<Storage> tmp;
};

TEST_CASE("chunk results another host left in tmp are adopted, the others left alone") {
  Fixture f;
  MirrorChunkResult(*f.tmp, 2, {{"360p", {{"size", 7}}}});

  CHECK(AdoptMirroredChunkResults(*f.state, "j1", *f.tmp) == 1);

  CHECK(f.StateOf(0) == ChunkState::kPending);
  CHECK(f.StateOf(1) == ChunkState::kPending);
  CHECK(f.StateOf(2) == ChunkState::kDone);
  CHECK(f.state->ListChunks("j1").at(2).result["360p"]["size"] == 7);
  SECTION("a chunk already done is not adopted again") {
    CHECK(AdoptMirroredChunkResults(*f.state, "j1", *f.tmp) == 0);
  }
}

TEST_CASE("a chunk result that is not JSON is bad data, named by its key") {
  Fixture f;
  f.tmp->Write(tmp_keys::ChunkResult(1), "{cut off");

  CHECK_THAT(ErrorFrom([&] { AdoptMirroredChunkResults(*f.state, "j1", *f.tmp); }),
             IsError(ExitCode::kDataError, "chunk 1: " + f.tmp->Describe("results/00001.json")));
  CHECK(f.StateOf(1) == ChunkState::kPending);
}

TEST_CASE("the plan summary sizes a scheduler's array") {
  Fixture f;
  nlohmann::json summary = PlanSummary(*f.state, "j1");
  CHECK(summary["job"] == "j1");
  CHECK(summary["chunks"] == 3);
  CHECK(summary["tmp"] == (f.folder.path() / "tmp").string());
  CHECK(summary["output"] == "/out");
}

}  // namespace
}  // namespace vodctl
