#include "pipeline/job_mirror.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "test_support.h"
#include "vodctl/error.h"

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
  MirrorChunkResult(*f.tmp, 2, {{"360p", {{"size", 7}, {"sha256", std::string(64, 'a')}, {"frames", 1}}}});

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

const std::string kSha256(64, 'a');

// A rendition's record as transcode-chunk stores it.
nlohmann::json Record(int64_t size) {
  return {{"size", size}, {"sha256", kSha256}, {"frames", 3}};
}

nlohmann::json PlanJson() {
  JobOptions options;
  options.ladder = ParseLadder("720p@3000k,360p");
  SourceInfo source;
  source.format = "mov,mp4,m4a,3gp,3g2,mj2";
  source.duration = 12.5;
  source.video.width = 1280;
  source.video.height = 720;
  return {{"job", "j1"},
          {"source", "in.mp4"},
          {"output", "out/"},
          {"options", options},
          {"source_info", source},
          {"split", {{"chunks", {{{"size", 10}, {"sha256", kSha256}}}}, {"audio_source", nullptr}}},
          {"chunks",
           {{{"index", 0}, {"start_pts", 0}, {"end_pts", 90}, {"first_slot", 0},
             {"end_slot", 3}, {"input_frames", 3}}}}};
}

TEST_CASE("ParseMirroredPlan reads back what MirrorPlan writes") {
  const MirroredPlan plan = ParseMirroredPlan(PlanJson().dump(2), "j1", "tmp/plan.json");
  CHECK(plan.source == "in.mp4");
  CHECK(plan.output == "out/");
  CHECK(plan.options.ladder == ParseLadder("720p@3000k,360p"));
  CHECK(plan.source_info.video.height == 720);
  CHECK(plan.source_info.duration == 12.5);
  REQUIRE(plan.chunks.size() == 1);
  CHECK(plan.chunks[0] == ChunkPlan{.index = 0, .start_pts = 0, .end_pts = 90, .first_slot = 0,
                                    .end_slot = 3, .input_frames = 3});
  CHECK(plan.split == PlanJson()["split"]);
}

TEST_CASE("ParseMirroredPlan refuses another job's plan as a usage error") {
  const Error error = ErrorFrom([] { ParseMirroredPlan(PlanJson().dump(), "j2", "tmp/plan.json"); });
  CHECK(error.code() == ExitCode::kUsage);
  CHECK(std::string(error.what()) == "tmp/plan.json is the plan of job 'j1', not 'j2'");
}

TEST_CASE("ParseMirroredPlan refuses what is not a vodctl plan as bad data") {
  nlohmann::json missing = PlanJson();
  missing.erase("source_info");
  nlohmann::json wrong_type = PlanJson();
  wrong_type["chunks"][0]["end_pts"] = "ninety";
  nlohmann::json bad_ladder = PlanJson();
  bad_ladder["options"]["ladder"] = "720x";
  // The split records are what resume checks chunk files against: they must have their shape.
  nlohmann::json split_not_a_list = PlanJson();
  split_not_a_list["split"]["chunks"] = 2;
  nlohmann::json split_bad_size = PlanJson();
  split_bad_size["split"]["chunks"][0]["size"] = "x";
  nlohmann::json split_bad_audio = PlanJson();
  split_bad_audio["split"]["audio_source"] = nlohmann::json::array();
  nlohmann::json split_too_short = PlanJson();
  split_too_short["split"]["chunks"] = nlohmann::json::array();
  for (const std::string text :
       {std::string(""), std::string("{"), std::string("[1,2]"), std::string("[]"),
        std::string("null"), std::string("{\"size\":\"x\"}"), missing.dump(), wrong_type.dump(),
        bad_ladder.dump(), split_not_a_list.dump(), split_bad_size.dump(), split_bad_audio.dump(),
        split_too_short.dump()}) {
    INFO(text);
    const Error error = ErrorFrom([&] { ParseMirroredPlan(text, "j1", "tmp/plan.json"); });
    CHECK(error.code() == ExitCode::kDataError);
    CHECK_THAT(error.what(), Catch::StartsWith("tmp/plan.json is not a vodctl plan: "));
    CHECK_THAT(error.what(), !Catch::Contains("is not a vodctl plan: tmp/plan.json"));
  }
  CHECK(std::string(ErrorFrom([&] { ParseMirroredPlan(split_bad_size.dump(), "j1", "p"); }).what()) ==
        "p is not a vodctl plan: split chunk 0 has no whole number 'size'");
}

// Found by tests/fuzz/job_plan_fuzzer: the float went into an int with an undefined cast.
TEST_CASE("ParseMirroredPlan refuses floats out of an integer's range") {
  for (const double huge : {1e82, -1e82, 0x1p31, 1e300}) {
    nlohmann::json plan = PlanJson();
    plan["source_info"]["video"]["width"] = huge;
    INFO(huge);
    const Error error = ErrorFrom([&] { ParseMirroredPlan(plan.dump(), "j1", "tmp/plan.json"); });
    CHECK(error.code() == ExitCode::kDataError);
    CHECK_THAT(error.what(), Catch::StartsWith("tmp/plan.json is not a vodctl plan: the number"));
  }
  nlohmann::json chunk_float = PlanJson();
  chunk_float["chunks"][0]["end_pts"] = 9e18;
  CHECK(ErrorFrom([&] { ParseMirroredPlan(chunk_float.dump(), "j1", "p"); }).code() ==
        ExitCode::kDataError);
  nlohmann::json fine = PlanJson();
  fine["source_info"]["video"]["width"] = 1280.0;
  CHECK(ParseMirroredPlan(fine.dump(), "j1", "p").source_info.video.width == 1280);
}

TEST_CASE("ParseMirroredChunkResult takes JSON and refuses anything else as bad data") {
  const nlohmann::json result = {{"720p", Record(100)}, {"360p", Record(40)}};
  CHECK(ParseMirroredChunkResult(result.dump(), "r.json") == result);
  const Error error = ErrorFrom([] { ParseMirroredChunkResult("{\"trunc", "tmp/results/00001.json"); });
  CHECK(error.code() == ExitCode::kDataError);
  CHECK_THAT(error.what(), Catch::Contains("tmp/results/00001.json is not a vodctl chunk result"));
}

TEST_CASE("ParseMirroredChunkResult refuses JSON of the wrong shape as bad data, naming the file") {
  nlohmann::json no_sha = {{"720p", Record(100)}};
  no_sha["720p"].erase("sha256");
  nlohmann::json negative = {{"720p", Record(-1)}};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[]", "not a JSON object"},
      {"{\"size\":\"x\"}", "rendition 'size' is not a JSON object"},
      {"{\"720p\":{\"size\":\"x\"}}", "rendition '720p' has no whole number 'size'"},
      {negative.dump(), "rendition '720p' has no whole number 'size'"},
      {no_sha.dump(), "rendition '720p' has no 64-digit 'sha256'"}};
  for (const auto& [text, why] : cases) {
    INFO(text);
    const Error error = ErrorFrom([&] { ParseMirroredChunkResult(text, "tmp/results/00001.json"); });
    CHECK(error.code() == ExitCode::kDataError);
    CHECK(std::string(error.what()) == "tmp/results/00001.json is not a vodctl chunk result: " + why);
  }
}

}  // namespace
}  // namespace vodctl
