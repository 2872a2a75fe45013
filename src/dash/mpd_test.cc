#include "vodctl/mpd.h"

#include "vodctl/error.h"

#include <catch2/catch.hpp>

#include "test_support.h"

namespace vodctl::dash {
namespace {

using testing::IsError;

// Two 25 fps renditions in MP4's refined timescale (12800), 2 s segments and a 1.2 s tail,
// starting at the segment muxer's 10 s offset; AAC audio starting 1024 samples earlier.
Presentation Sample() {
  Presentation p;
  p.frame_rate = {25, 1};
  const SegmentTimes video{12800, {128000, 153600, 179200}, 194560};
  p.video.push_back({{"720p", 2500000, "avc1.64001f", video}, 1280, 720});
  p.video.push_back({{"360p", 800000, "avc1.64001e", video}, 640, 360});
  p.audio.push_back({"en", 2, 48000,
                     {"audio", 130000, "mp4a.40.2", {48000, {478976, 576000, 672000}, 734976}}});
  return p;
}

TEST_CASE("RenderMpd writes a static live-profile MPD with a SegmentTimeline each") {
  const std::string expected = R"(<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="PT5.200S" minBufferTime="PT2.021S">
  <Period id="0" start="PT0S">
    <AdaptationSet id="0" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1" frameRate="25" maxWidth="1280" maxHeight="720">
      <Representation id="720p" bandwidth="2500000" codecs="avc1.64001f" width="1280" height="720" sar="1:1">
        <SegmentTemplate timescale="12800" presentationTimeOffset="128000" initialization="720p/init.mp4" media="720p/seg_$Number%05d$.m4s" startNumber="0">
          <SegmentTimeline>
            <S t="128000" d="25600" r="1" />
            <S d="15360" />
          </SegmentTimeline>
        </SegmentTemplate>
      </Representation>
      <Representation id="360p" bandwidth="800000" codecs="avc1.64001e" width="640" height="360" sar="1:1">
        <SegmentTemplate timescale="12800" presentationTimeOffset="128000" initialization="360p/init.mp4" media="360p/seg_$Number%05d$.m4s" startNumber="0">
          <SegmentTimeline>
            <S t="128000" d="25600" r="1" />
            <S d="15360" />
          </SegmentTimeline>
        </SegmentTemplate>
      </Representation>
    </AdaptationSet>
    <AdaptationSet id="1" contentType="audio" mimeType="audio/mp4" segmentAlignment="true" startWithSAP="1" lang="en">
      <Representation id="audio" bandwidth="130000" codecs="mp4a.40.2" audioSamplingRate="48000">
        <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="2" />
        <SegmentTemplate timescale="48000" presentationTimeOffset="480000" initialization="audio/init.mp4" media="audio/seg_$Number%05d$.m4s" startNumber="0">
          <SegmentTimeline>
            <S t="478976" d="97024" />
            <S d="96000" />
            <S d="62976" />
          </SegmentTimeline>
        </SegmentTemplate>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
)";
  CHECK(RenderMpd(Sample()) == expected);
}

TEST_CASE("RenderMpd writes a fractional frame rate and no audio set without audio") {
  Presentation p = Sample();
  p.frame_rate = {30000, 1001};
  p.audio.clear();
  const std::string mpd = RenderMpd(p);
  CHECK_THAT(mpd, Catch::Contains(R"(frameRate="30000/1001")"));
  CHECK_THAT(mpd, !Catch::Contains("audio"));
  CHECK_THAT(mpd, Catch::Contains(R"(minBufferTime="PT2.000S")"));
}

TEST_CASE("RenderMpd leaves @lang out when the language is unknown") {
  Presentation p = Sample();
  p.audio[0].language = "";
  const std::string mpd = RenderMpd(p);
  CHECK_THAT(mpd, Catch::Contains(R"(contentType="audio")"));
  CHECK_THAT(mpd, !Catch::Contains("lang="));
}

TEST_CASE("RenderMpd puts the period's start at the first video segment in every timescale") {
  Presentation p = Sample();
  // 10.04 s: 128512 at 12800 Hz is 481920 at 48000 Hz.
  p.video[0].times.starts = {128512, 153600};
  p.video.resize(1);
  const std::string mpd = RenderMpd(p);
  CHECK_THAT(mpd, Catch::Contains(R"(presentationTimeOffset="128512")"));
  CHECK_THAT(mpd, Catch::Contains(R"(presentationTimeOffset="481920")"));
  CHECK_THAT(mpd, Catch::Contains(R"(mediaPresentationDuration="PT5.160S")"));
}

TEST_CASE("RenderMpd refuses timelines that cannot be right") {
  Presentation p = Sample();
  SECTION("no video") { p.video.clear(); }
  SECTION("no segments") { p.video[1].times.starts.clear(); }
  SECTION("decreasing starts") { p.video[1].times.starts = {153600, 128000}; }
  SECTION("repeated start") { p.video[1].times.starts = {128000, 128000}; }
  SECTION("end before the last start") { p.audio[0].representation.times.end = 672000; }
  SECTION("no timescale") { p.audio[0].representation.times.timescale = 0; }
  CHECK_THROWS_MATCHES(RenderMpd(p), Error, IsError(ExitCode::kSoftware, "DASH"));
}

}  // namespace
}  // namespace vodctl::dash
