#include "pipeline/rendition.h"

#include <catch2/catch.hpp>

namespace vodctl {
namespace {

VideoInfo Video(int width, int height, Rational sar = {1, 1}, Rational rate = {25, 1}) {
  VideoInfo video;
  video.width = width;
  video.height = height;
  video.sample_aspect = sar;
  video.frame_rate = rate;
  return video;
}

std::vector<std::string> Names(const std::vector<Rendition>& renditions) {
  std::vector<std::string> names;
  for (const Rendition& r : renditions) names.push_back(r.name);
  return names;
}

}  // namespace

TEST_CASE("The default ladder keeps the rungs at or below the source height") {
  auto renditions = ResolveRenditions({}, Video(1280, 720));
  CHECK(Names(renditions) == std::vector<std::string>{"720p", "480p", "360p"});
  CHECK(renditions[1].width == 854);  // 480 * 16/9 = 853.3, rounded to even
  CHECK(renditions[0].maxrate_kbps == 3000);
  CHECK(renditions[0].bufsize_kbps == 6000);
}

TEST_CASE("A 4K source gets 2160p and 1440p above the HD rungs") {
  auto renditions = ResolveRenditions({}, Video(3840, 2160));
  CHECK(Names(renditions) ==
        std::vector<std::string>{"2160p", "1440p", "1080p", "720p", "480p", "360p"});
  CHECK(renditions[0].width == 3840);
  CHECK(renditions[0].maxrate_kbps == 16000);
  CHECK(renditions[1].width == 2560);
  CHECK(renditions[1].maxrate_kbps == 9000);
}

TEST_CASE("A source below every rung still gets one rendition at its own height") {
  auto renditions = ResolveRenditions({}, Video(320, 240));
  REQUIRE(renditions.size() == 1);
  CHECK(renditions[0].height == 240);
  CHECK(renditions[0].width == 320);
}

TEST_CASE("A phone video turned a quarter is laddered by its displayed size") {
  VideoInfo video = Video(1920, 1080);
  video.rotation = 90;
  auto renditions = ResolveRenditions({}, video);
  CHECK(Names(renditions) ==
        std::vector<std::string>{"1440p", "1080p", "720p", "480p", "360p"});
  CHECK(renditions[1].width == 608);  // 1080 * 9/16 = 607.5, rounded to even
  video.rotation = 180;
  CHECK(ResolveRenditions({}, video)[0].width == 1920);
}

TEST_CASE("An audio-only source has no video renditions") {
  CHECK(ResolveRenditions({}, VideoInfo{}).empty());
  CHECK(ResolveRenditions({{720, std::nullopt}}, VideoInfo{}).empty());
}

TEST_CASE("Widths follow the display aspect ratio of anamorphic sources") {
  auto renditions = ResolveRenditions({{576, std::nullopt}}, Video(720, 576, {64, 45}));
  REQUIRE(renditions.size() == 1);
  CHECK(renditions[0].width == 1024);
}

TEST_CASE("OutputFrameRate halves rates above 60 fps") {
  CHECK(OutputFrameRate(Video(1, 1, {1, 1}, {120, 1})) == Rational{60, 1});
  CHECK(OutputFrameRate(Video(1, 1, {1, 1}, {120000, 1001})) == Rational{60000, 1001});
  CHECK(OutputFrameRate(Video(1, 1, {1, 1}, {30000, 1001})) == Rational{30000, 1001});
}

TEST_CASE("Timeline starts segments at the first frame at or after each multiple") {
  Timeline timeline({30000, 1001}, 6.0);  // 179.82 frames per segment
  CHECK(timeline.StartsSegment(0));
  CHECK_FALSE(timeline.StartsSegment(179));
  CHECK(timeline.StartsSegment(180));
  CHECK(timeline.SegmentOf(359) == 1);
  CHECK(timeline.StartsSegment(360));  // 2 * 179.82 = 359.64
  CHECK(timeline.SegmentOf(-1) == -1);
}

TEST_CASE("Timeline maps source timestamps to the nearest output frame") {
  Timeline timeline({25, 1}, 6.0);
  CHECK(timeline.SlotAt(12800 + 512 * 3, {1, 12800}, 12800) == 3);
  CHECK(timeline.SlotAt(12800 + 700, {1, 12800}, 12800) == 1);  // 1.37 frames
}

}  // namespace vodctl
