#include "pipeline/publish_tag.h"

#include <catch2/catch.hpp>

#include "vodctl/error.h"

namespace vodctl {
namespace {

JobRecord SplitJob() {
  JobRecord job;
  job.id = "film";
  job.options.tmp = "/tmp/film";
  job.result = {{"split", {{"chunks", {{{"size", 10}, {"sha256", std::string(64, 'a')}}}}}}};
  return job;
}

TEST_CASE("The publish tag follows what decides the media's bytes, and nothing else") {
  const JobRecord job = SplitJob();
  const std::string tag = PublishTag(job);
  CHECK(tag.size() == 10);
  CHECK(tag.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(PublishTag(job) == tag);

  JobRecord elsewhere = job;  // another host, another tmp, other headers: the same media
  elsewhere.options.tmp = "s3://bucket/tmp/film";
  elsewhere.options.keep_tmp = true;
  elsewhere.options.publish.cache_control_media = "max-age=60";
  elsewhere.options.publish.compress_playlists = true;
  elsewhere.result["renditions"] = nlohmann::json::array();  // segment's own records
  CHECK(PublishTag(elsewhere) == tag);

  JobRecord other_ladder = job;
  other_ladder.options.ladder = ParseLadder("720p,360p");
  CHECK(PublishTag(other_ladder) != tag);
  JobRecord other_source = job;
  other_source.result["split"]["chunks"][0]["sha256"] = std::string(64, 'b');
  CHECK(PublishTag(other_source) != tag);
  JobRecord other_crf = job;
  other_crf.options.crf = 20;
  CHECK(PublishTag(other_crf) != tag);
}

TEST_CASE("There is no publish tag before split") {
  JobRecord job;
  job.id = "film";
  CHECK_THROWS_AS(PublishTag(job), Error);
}

TEST_CASE("Media names carry the tag") {
  const MediaNames names("0123456789");
  CHECK(names.Segment(3, SegmentFormat::kFmp4) == "seg_0123456789_00003.m4s");
  CHECK(names.Segment(12345, SegmentFormat::kTs) == "seg_0123456789_12345.ts");
  CHECK(names.Init() == "init_0123456789.mp4");
  CHECK(names.DashSegmentTemplate() == "seg_0123456789_$Number%05d$.m4s");
  CHECK(names.SpriteStem() == "sprite_0123456789");
}

}  // namespace
}  // namespace vodctl
