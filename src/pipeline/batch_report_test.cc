#include "pipeline/batch_report.h"

#include "test_support.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

namespace vodctl {
namespace {

BatchJob Job(const std::string& id, BatchJob::Outcome outcome, ExitCode code = ExitCode::kOk) {
  return {.id = id, .source = "/in/" + id + ".mp4", .output = "/out/" + id, .outcome = outcome,
          .reason = code == ExitCode::kOk ? "" : "broken", .code = code, .seconds = 1.5};
}

TEST_CASE("A batch exits 0 only when every job it handled is done") {
  BatchReport report("ingest");
  CHECK(report.Code() == ExitCode::kOk);
  report.Add(Job("a", BatchJob::Outcome::kDone));
  report.Add(Job("b", BatchJob::Outcome::kSkipped));
  CHECK(report.Code() == ExitCode::kOk);
  SECTION("a bad source is 65") {
    report.Add(Job("c", BatchJob::Outcome::kFailed, ExitCode::kDataError));
    CHECK(report.Code() == ExitCode::kDataError);
    SECTION("another failure says more") {
      report.Add(Job("d", BatchJob::Outcome::kFailed, ExitCode::kUnavailable));
      CHECK(report.Code() == ExitCode::kUnavailable);
    }
    SECTION("stopping early is 75") {
      report.Add(Job("d", BatchJob::Outcome::kUnfinished, ExitCode::kTempFail));
      CHECK(report.Code() == ExitCode::kTempFail);
    }
    CHECK(report.Summary().find("first: job 'c': broken") != std::string::npos);
  }
}

TEST_CASE("The report counts what happened and gives each done job's playlist URL") {
  BatchReport report("ingest");
  report.Created("a");
  report.Add(Job("a", BatchJob::Outcome::kDone));
  report.Add(Job("b", BatchJob::Outcome::kFailed, ExitCode::kDataError));
  nlohmann::json json = report.ToJson();
  CHECK(json["command"] == "ingest");
  CHECK(json["exit_code"] == 65);
  CHECK(json["created"] == nlohmann::json::array({"a"}));
  CHECK(json["counts"]["done"] == 1);
  CHECK(json["counts"]["failed"] == 1);
  CHECK(json["jobs"][0]["url"] == "/out/a/master.m3u8");
  CHECK(json["jobs"][1]["state"] == "failed");
  CHECK(json["jobs"][1]["reason"] == "broken");
  CHECK_FALSE(json["jobs"][1].contains("url"));

  testing::TempFolder folder;
  const std::string path = (folder.path() / "report.json").string();
  report.WriteFile(path);
  std::ifstream in(path);
  nlohmann::json written = nlohmann::json::parse(in);
  CHECK(written["jobs"] == json["jobs"]);
  CHECK(written["counts"] == json["counts"]);
  CHECK_FALSE(std::filesystem::exists(path + ".partial"));
}

}  // namespace
}  // namespace vodctl
