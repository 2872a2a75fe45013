#include "pipeline/job_id.h"

#include "vodctl/job_options.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace vodctl;

TEST_CASE("ReadableJobId keeps the name readable and adds a hash of what makes it unique") {
  std::string id = ReadableJobId("holiday video", "s3://b/holiday video.mp4");
  CHECK(id.starts_with("holiday-video-"));
  CHECK(id.size() == std::string("holiday-video-").size() + 8);
  CHECK(id == ReadableJobId("holiday video", "s3://b/holiday video.mp4"));
  CHECK(id != ReadableJobId("holiday video", "s3://c/holiday video.mp4"));
  CHECK_NOTHROW(ValidateJobId(id));
}

TEST_CASE("ReadableJobId makes any name a valid ID") {
  for (const std::string& name :
       std::vector<std::string>{"", ".hidden", "été", std::string(300, 'x'), "a/b\\c:d"}) {
    CHECK_NOTHROW(ValidateJobId(ReadableJobId(name, name)));
  }
  CHECK(ReadableJobId(".hidden", "u").starts_with("job.hidden-"));
}

TEST_CASE("IngestJobId names the job after the key without its extension, folders included") {
  CHECK(IngestJobId("holiday/video.mp4", "/in/holiday/video.mp4").starts_with("holiday-video-"));
  CHECK(IngestJobId("a/clip.mp4", "/in/a/clip.mp4") != IngestJobId("b/clip.mp4", "/in/b/clip.mp4"));
  CHECK(IngestJobId("clip.mp4", "/in/clip.mp4").starts_with("clip-"));
}
