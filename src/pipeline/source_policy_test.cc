#include "vodctl/source_policy.h"

#include "vodctl/error.h"

#include <catch2/catch.hpp>

#include "test_support.h"
#include <nlohmann/json.hpp>

#include <cmath>

namespace vodctl {
namespace {

using testing::IsError;

// A 1080p H.264 + AAC MP4 of ten minutes: what the defaults must take.
SourceFacts Ordinary() {
  SourceFacts facts;
  facts.name = "upload.mp4";
  facts.format = "mov,mp4,m4a,3gp,3g2,mj2";
  facts.size = 300 << 20;
  facts.duration = 600;
  facts.streams = 2;
  facts.video_codec = "h264";
  facts.width = 1920;
  facts.height = 1080;
  facts.frame_rate = 29.97;
  facts.picture_bytes = 1920 * 1080 * 3 / 2;
  facts.audio_codecs = {"aac"};
  return facts;
}

}  // namespace

TEST_CASE("SourcePolicy's defaults take ordinary uploads") {
  const SourcePolicy policy;
  CHECK_NOTHROW(policy.Validate());
  CHECK_NOTHROW(policy.Check(Ordinary()));
  for (const char* format : {"matroska,webm", "mpegts", "avi", "mov,mp4,m4a,3gp,3g2,mj2"}) {
    CAPTURE(format);
    CHECK(policy.AllowsFormat(format));
  }
}

TEST_CASE("SourcePolicy judges the format by any of its names and never takes playlists") {
  SourcePolicy policy;
  policy.formats = {"webm"};
  CHECK(policy.AllowsFormat("matroska,webm"));
  CHECK_FALSE(policy.AllowsFormat("mov,mp4,m4a,3gp,3g2,mj2"));
  CHECK_THROWS_MATCHES(policy.Check(Ordinary()), Error,
                       IsError(ExitCode::kDataError,
                               "format 'mov,mp4,m4a,3gp,3g2,mj2' is not allowed (--allow-formats webm)"));
  policy.formats = {"hls", "concat", "image2", "png_pipe", "webm"};  // as if stored by hand
  for (const char* format : {"hls", "concat", "image2", "png_pipe", "hls,applehttp"}) {
    CAPTURE(format);
    CHECK(SourcePolicy::NeverAllowed(format));
    CHECK_FALSE(policy.AllowsFormat(format));
  }
}

TEST_CASE("SourcePolicy::ParseFormats reads --allow-formats and refuses playlists") {
  CHECK(SourcePolicy::ParseFormats("mp4,matroska") == std::vector<std::string>{"mp4", "matroska"});
  CHECK_THROWS_MATCHES(SourcePolicy::ParseFormats("mp4,hls"), Error,
                       IsError(ExitCode::kUsage, "'hls' is never allowed"));
  CHECK_THROWS_MATCHES(SourcePolicy::ParseFormats("ffconcat"), Error,
                       IsError(ExitCode::kUsage, "'ffconcat' is never allowed"));
  CHECK_THROWS_MATCHES(SourcePolicy::ParseFormats(""), Error,
                       IsError(ExitCode::kUsage, "empty format name"));
  CHECK_THROWS_MATCHES(SourcePolicy::ParseFormats("mp4,,avi"), Error,
                       IsError(ExitCode::kUsage, "empty format name"));
}

TEST_CASE("SourcePolicy names the limit a source breaks and its value") {
  const SourcePolicy policy;
  SourceFacts facts = Ordinary();
  SECTION("size") {
    facts.size = policy.max_size + 1;
    CHECK_THROWS_MATCHES(policy.Check(facts), Error,
                         IsError(ExitCode::kDataError, "size 68719476737 bytes is over the limit --max-size"));
  }
  SECTION("duration") {
    facts.duration = 1e9;
    CHECK_THROWS_MATCHES(policy.Check(facts), Error, IsError(ExitCode::kDataError, "--max-duration"));
  }
  SECTION("picture") {
    facts.width = facts.height = 100000;
    CHECK_THROWS_MATCHES(policy.Check(facts), Error,
                         IsError(ExitCode::kDataError,
                                 "picture 100000x100000 (10000000000 pixels) is over the limit --max-pixels"));
  }
  SECTION("frame rate") {
    facts.frame_rate = 1000;
    CHECK_THROWS_MATCHES(policy.Check(facts), Error, IsError(ExitCode::kDataError, "--max-frame-rate 240"));
  }
  SECTION("streams") {
    facts.streams = 1000;
    CHECK_THROWS_MATCHES(policy.Check(facts), Error,
                         IsError(ExitCode::kDataError, "stream count 1000 is over the limit --max-streams 64"));
  }
  SECTION("decoded memory") {
    facts.picture_bytes = int64_t{1} << 30;
    CHECK_THROWS_MATCHES(policy.Check(facts), Error,
                         IsError(ExitCode::kDataError, "--max-decoded-memory"));
  }
  SECTION("codecs") {
    facts.video_codec = "cinepak";
    CHECK_THROWS_MATCHES(policy.Check(facts), Error,
                         IsError(ExitCode::kDataError, "video codec 'cinepak' is not one vodctl decodes"));
    facts = Ordinary();
    facts.audio_codecs = {"aac", "adpcm_ima_qt"};
    CHECK_THROWS_MATCHES(policy.Check(facts), Error,
                         IsError(ExitCode::kDataError, "audio codec 'adpcm_ima_qt'"));
  }
  SECTION("timestamps far past the start") {
    CHECK_NOTHROW(policy.CheckElapsed("upload.mp4", 3600));
    CHECK_THROWS_MATCHES(policy.CheckElapsed("upload.mp4", 3e9), Error,
                         IsError(ExitCode::kDataError, "a timestamp 3000000000 s after the first"));
  }
}

TEST_CASE("SourcePolicy::Validate refuses limits that are not positive") {
  SourcePolicy policy;
  policy.max_duration = 0;
  CHECK_THROWS_MATCHES(policy.Validate(), Error, IsError(ExitCode::kUsage, "--max-duration"));
  policy = SourcePolicy();
  policy.max_frame_rate = std::nan("");
  CHECK_THROWS_MATCHES(policy.Validate(), Error, IsError(ExitCode::kUsage, "--max-frame-rate"));
  policy = SourcePolicy();
  policy.formats.clear();
  CHECK_THROWS_MATCHES(policy.Validate(), Error, IsError(ExitCode::kUsage, "--allow-formats"));
}

TEST_CASE("SourcePolicy survives JSON, and a job stored without one reads the defaults") {
  SourcePolicy policy;
  policy.formats = {"mp4"};
  policy.max_pixels = 1920 * 1080;
  CHECK(nlohmann::json(policy).get<SourcePolicy>() == policy);
  CHECK(nlohmann::json::object().get<SourcePolicy>() == SourcePolicy());
}

}  // namespace vodctl
