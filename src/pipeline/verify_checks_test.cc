#include "pipeline/verify_checks.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace vodctl {
namespace {

constexpr double kFrame = 0.04;  // 25 fps

media::SegmentProbe Video(double start, double end) {
  media::SegmentProbe probe;
  probe.video = true;
  probe.h264 = true;
  probe.packets = 1;
  probe.start = start;
  probe.end = end;
  probe.frame_duration = kFrame;
  probe.starts_with_key = true;
  probe.first_nal_types = {9, 7, 8, 5};
  return probe;
}

// Segments of `seconds` each from `start`, as the playlist and the media agree.
StreamFacts Stream(const std::string& name, std::vector<double> seconds, double start = 1.4) {
  StreamFacts stream;
  stream.playlist_key = name + "/index.m3u8";
  stream.target_duration = 2;
  for (size_t i = 0; i < seconds.size(); ++i) {
    SegmentFacts segment;
    segment.key = name + "/seg_" + std::to_string(i) + ".m4s";
    segment.extinf = seconds[i];
    segment.extinf_rounding = 0.5e-6;
    segment.bytes = 100000;
    segment.probe = Video(start, start + seconds[i]);
    stream.segments.push_back(segment);
    start += seconds[i];
  }
  return stream;
}

std::vector<std::string> Problems(const std::vector<Violation>& violations) {
  std::vector<std::string> out;
  for (const Violation& v : violations) out.push_back(v.file + ": " + v.problem);
  return out;
}

TEST_CASE("A consistent stream passes every per-stream check") {
  const StreamFacts stream = Stream("720p", {2, 2, 1.2});
  std::vector<Violation> violations;
  CheckTargetDuration(stream, violations);
  CheckSegmentStarts(stream, violations);
  CheckDurations(stream, violations);
  CHECK(Problems(violations).empty());
}

TEST_CASE("CheckTargetDuration flags an EXTINF that rounds above the target") {
  StreamFacts stream = Stream("720p", {2, 2.5});
  std::vector<Violation> violations;
  CheckTargetDuration(stream, violations);
  CHECK(Problems(violations) ==
        std::vector<std::string>{"720p/index.m3u8: EXTINF 2.500000 of 720p/seg_1.m4s rounds to 3, "
                                 "above EXT-X-TARGETDURATION 2"});
}

TEST_CASE("CheckSegmentStarts wants a key frame that is an IDR") {
  StreamFacts stream = Stream("720p", {2, 2, 2});
  stream.segments[1].probe->starts_with_key = false;
  stream.segments[2].probe->first_nal_types = {9, 1};  // an I slice without IDR
  std::vector<Violation> violations;
  CheckSegmentStarts(stream, violations);
  CHECK(Problems(violations) ==
        std::vector<std::string>{"720p/seg_1.m4s: does not start with a key frame",
                                 "720p/seg_2.m4s: starts with a key frame that is not an IDR "
                                 "picture (NAL unit types 9, 1)"});
}

TEST_CASE("CheckDurations flags an EXTINF more than a frame off and a sum that does not add up") {
  StreamFacts stream = Stream("720p", {2, 2, 2});
  stream.segments[0].extinf = 2.04;  // one frame off: still fine
  stream.segments[1].extinf = 3;
  std::vector<Violation> violations;
  CheckDurations(stream, violations);
  CHECK(Problems(violations) ==
        std::vector<std::string>{
            "720p/seg_1.m4s: EXTINF says 3.000000 s but the segment lasts 2.000000 s (from "
            "3.400000 s to 5.400000 s, listed in 720p/index.m3u8)",
            "720p/index.m3u8: the EXTINF durations add up to 7.040000 s but the media lasts "
            "6.000000 s"});
}

TEST_CASE("CheckDurations catches small errors that add up past a frame") {
  StreamFacts stream = Stream("720p", {2, 2, 2});
  for (SegmentFacts& segment : stream.segments) segment.extinf += 0.03;
  std::vector<Violation> violations;
  CheckDurations(stream, violations);
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].file == "720p/index.m3u8");
}

TEST_CASE("CheckDurations skips segments it could not read") {
  StreamFacts stream = Stream("720p", {2, 2, 2});
  stream.segments[1].probe.reset();
  stream.segments[0].extinf = 5;  // its end is the missing segment's start: unknown
  std::vector<Violation> violations;
  CheckDurations(stream, violations);
  CHECK(violations.empty());
}

TEST_CASE("CheckAlignment names the variant whose segment starts where the others' do not") {
  StreamFacts odd = Stream("720p", {2, 2, 2});
  odd.segments[2].probe->start += kFrame;
  StreamFacts second = Stream("480p", {2, 2, 2});
  second.segments[1].probe->start += kFrame / 4;  // within half a frame: aligned
  const StreamFacts third = Stream("360p", {2, 2, 2});
  const StreamFacts shorter = Stream("240p", {2, 4});
  std::vector<Violation> violations;
  CheckAlignment({&odd, &second, &third, &shorter}, violations);
  CHECK(Problems(violations) ==
        std::vector<std::string>{
            "240p/index.m3u8: has 2 segments but 720p/index.m3u8 has 3: segment boundaries "
            "differ across variants",
            "720p/seg_2.m4s: starts at 5.440000 s but 480p/seg_2.m4s starts at 5.400000 s: "
            "segment boundaries differ across variants"});
}

TEST_CASE("CheckAlignment takes the first variant's start when two variants disagree") {
  const StreamFacts first = Stream("720p", {2, 2, 2});
  StreamFacts second = Stream("360p", {2, 2, 2});
  second.segments[0].probe->start -= 1;
  std::vector<Violation> violations;
  CheckAlignment({&first, &second}, violations);
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].file == "360p/seg_0.m4s");
}

TEST_CASE("CheckBandwidth wants BANDWIDTH at least the peak, audio included") {
  StreamFacts video = Stream("720p", {2, 2, 1});
  video.segments[2].bytes = 150000;  // the peak: (150000 + 10000) * 8 / 1 s
  StreamFacts audio = Stream("audio", {2, 2, 1});
  for (SegmentFacts& segment : audio.segments) segment.bytes = 10000;
  VariantFacts variant{"master.m3u8", "720p/index.m3u8", 1279999, &video, &audio};
  std::vector<Violation> violations;
  CheckBandwidth(variant, violations);
  CHECK(violations.empty());  // 1 bit/s short of 1279999.36: rounding

  variant.bandwidth = 1000000;
  CheckBandwidth(variant, violations);
  CHECK(Problems(violations) ==
        std::vector<std::string>{"master.m3u8: BANDWIDTH=1000000 of 720p/index.m3u8 is below the "
                                 "measured peak 1279999 bit/s (720p/seg_2.m4s + audio/seg_2.m4s)"});
}

TEST_CASE("CheckRenditionGroups wants BCP 47 languages and a NAME once per group") {
  std::vector<hls::AudioRendition> renditions = {
      {"audio", "English", "en", 2, "audio/index.m3u8"},
      {"audio", "English", "en-GB", 2, "audio-2/index.m3u8"},
      {"audio", "Français", "fr_FR", 2, "audio-fra/index.m3u8"},
      {"audio", "Commentary", "", 2, "audio-4/index.m3u8"},
      {"other", "English", "en", 2, "other/index.m3u8"}};  // another group may reuse a name
  std::vector<Violation> out;
  CheckRenditionGroups("master.m3u8", renditions, out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].file == "master.m3u8");
  CHECK(out[0].problem == "two EXT-X-MEDIA of GROUP-ID \"audio\" have NAME \"English\"");
  CHECK(out[1].problem ==
        "EXT-X-MEDIA NAME \"Français\" has LANGUAGE \"fr_FR\", which is not a well-formed BCP 47 tag");

  out.clear();
  CheckRenditionGroups("master.m3u8", {renditions[0], renditions[3], renditions[4]}, out);
  CHECK(out.empty());
}

}  // namespace
}  // namespace vodctl
