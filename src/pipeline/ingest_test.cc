#include "pipeline/ingest.h"

#include "test_support.h"
#include "vodctl/error.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vodctl {
namespace {

namespace fs = std::filesystem;

void Touch(const fs::path& path) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "x";
}

std::vector<std::string> Keys(const std::vector<IngestSource>& sources) {
  std::vector<std::string> keys;
  for (const IngestSource& source : sources) keys.push_back(source.key);
  return keys;
}

TEST_CASE("SourceFilter keeps what an include matches and no exclude does") {
  CHECK(SourceFilter{}.Matches("a/b.mp4"));
  SourceFilter filter{.include = {"*.mp4", "*.mov"}, .exclude = {"drafts/*"}};
  CHECK(filter.Matches("a.mp4"));
  CHECK(filter.Matches("sub/a.mov"));
  CHECK_FALSE(filter.Matches("a.txt"));
  CHECK_FALSE(filter.Matches("drafts/a.mp4"));
}

TEST_CASE("ListIngestSources names a job and an output for every source, hidden files left out") {
  testing::TempFolder folder;
  const fs::path in = folder.path() / "in";
  for (const char* name :
       {"b.mp4", "a.mp4", "sub/c.mov", ".uploading.mp4", "sub/.part", "notes.txt"}) {
    Touch(in / name);
  }
  const std::string out = (folder.path() / "out").string();
  auto sources =
      ListIngestSources(in.string(), out + "/", {.include = {"*.mp4", "*.mov"}, .exclude = {}});
  REQUIRE(Keys(sources) == std::vector<std::string>{"a.mp4", "b.mp4", "sub/c.mov"});
  const IngestSource& c = sources[2];
  CHECK(c.url == (in / "sub/c.mov").string());
  CHECK(c.job_id.starts_with("sub-c-"));
  CHECK(c.output == out + "/" + c.job_id);
  CHECK_FALSE(c.published);
  Touch(fs::path(c.output) / "master.m3u8");
  CHECK(ListIngestSources(in.string(), out, {.include = {"*.mov"}, .exclude = {}}).at(0).published);
}

TEST_CASE("ListIngestSources of a missing folder is an I/O error, and nothing is created") {
  testing::TempFolder folder;
  const fs::path missing = folder.path() / "missing";
  const fs::path out = folder.path() / "out";
  CHECK_THROWS_MATCHES(ListIngestSources(missing.string(), out.string(), {}), Error,
                       testing::IsError(ExitCode::kIoError, "missing"));
  CHECK_FALSE(fs::exists(missing));
  CHECK_FALSE(fs::exists(out));
}

// Four sources: "new", "published" (no job, output there), "pending" and "done" jobs.
struct IngestFixture {
  IngestFixture() {
    store = OpenSqliteStateStore((folder.path() / "state.db").string());
    for (const char* name : {"new", "published", "pending", "done"}) {
      sources.push_back({.key = std::string(name) + ".mp4",
                         .url = std::string("/in/") + name + ".mp4",
                         .job_id = name,
                         .output = std::string("/out/") + name,
                         .published = name == std::string("published")});
    }
    for (const char* id : {"pending", "done"}) Create(id);
    store->SetJobState("done", JobState::kDone);
  }
  void Create(const std::string& id) {
    store->CreateOrCheckJob(id, "/in/" + id + ".mp4", "/out/" + id, JobOptions{});
  }

  testing::TempFolder folder;
  std::unique_ptr<StateStore> store;
  std::vector<IngestSource> sources;
};

TEST_CASE("CreateIngestJobs creates the jobs of new sources and lists every job to run") {
  IngestFixture f;
  BatchReport report("ingest");
  std::vector<std::string> created;
  auto ids = CreateIngestJobs(
      *f.store, f.sources,
      [&](const IngestSource& source) {
        created.push_back(source.job_id);
        f.Create(source.job_id);
      },
      report);
  CHECK(created == std::vector<std::string>{"new"});
  CHECK(ids == std::vector<std::string>{"new", "pending", "done"});
  CHECK(report.ToJson()["created"] == nlohmann::json::array({"new"}));
}

TEST_CASE("PrintIngestPlan says what ingest would do and changes nothing") {
  IngestFixture f;
  std::ostringstream out;
  PrintIngestPlan(*f.store, f.sources, BatchOptions{}, out);
  CHECK(out.str() ==
        "create new /in/new.mp4 -> /out/new\n"
        "run pending /in/pending.mp4 -> /out/pending\n"
        "skip done /in/done.mp4 -> /out/done: done already\n");
  CHECK(f.store->ListJobs().size() == 2);
}

}  // namespace
}  // namespace vodctl
