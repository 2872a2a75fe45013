#include "vodctl/job_options.h"

#include "vodctl/error.h"
#include "vodctl/source_info.h"

#include <catch2/catch.hpp>

#include "test_support.h"
#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

namespace vodctl {
namespace {

using testing::IsError;
using testing::TempFolder;

using nlohmann::json;

TEST_CASE("ParseLadder reads rungs with and without rates") {
  CHECK(ParseLadder("1080p@5000k,720p@3000k,360p") ==
        std::vector<RungSpec>{{1080, 5000}, {720, 3000}, {360, std::nullopt}});
  CHECK(ParseLadder("720p@5M") == std::vector<RungSpec>{{720, 5000}});
  CHECK(ParseLadder(" 480p@1500k , 240p ") == std::vector<RungSpec>{{480, 1500}, {240, {}}});
  CHECK(ParseLadder("16p,8192p") == std::vector<RungSpec>{{16, {}}, {8192, {}}});
}

TEST_CASE("FormatLadder writes what ParseLadder reads") {
  CHECK(FormatLadder(ParseLadder("1080p@5M, 720p")) == "1080p@5000k,720p");
  CHECK(FormatLadder({}) == "");
  const std::string canonical = "1080p@5000k,720p@3000k,360p";
  CHECK(FormatLadder(ParseLadder(canonical)) == canonical);
}

TEST_CASE("ParseLadder rejects bad specs naming the problem") {
  const auto [spec, why] = GENERATE(table<std::string, std::string>({
      {"", "no rungs"},
      {"  ", "no rungs"},
      {"720", "'720' is not HEIGHTp"},
      {"p", "'p' is not HEIGHTp"},
      {"720p@", "rate in '720p@'"},
      {"720p@3000", "rate in '720p@3000'"},
      {"720p@3.5M", "rate in '720p@3.5M'"},
      {"720p@0k", "rate in '720p@0k'"},
      {"720p@-5k", "rate in '720p@-5k'"},
      {"720p@99999999999999999999k", "rate in"},
      {"720p@9999999M", "rate in"},
      {"721p", "height in '721p' must be an even number"},
      {"8p", "height in '8p'"},
      {"8194p", "height in '8194p'"},
      {"-720p", "height in '-720p'"},
      {"720p,,360p", "empty rung"},
      {"720p,", "empty rung"},
      {"720p,480p@1000k,720p@3000k", "height 720p appears twice"},
  }));
  CAPTURE(spec);
  CHECK_THROWS_MATCHES(ParseLadder(spec), Error,
                       IsError(ExitCode::kDataError, "bad --ladder '" + spec + "': "));
  CHECK_THROWS_MATCHES(ParseLadder(spec), Error, IsError(ExitCode::kDataError, why));
}

TEST_CASE("JobOptions::Validate accepts the defaults and the range limits") {
  JobOptions options;
  CHECK_NOTHROW(options.Validate());
  options.crf = 0;
  options.preset = "placebo";
  options.segment_duration = 60;
  options.chunk_duration = 3600;
  options.encoder_threads = 64;
  CHECK_NOTHROW(options.Validate());
  options.crf = 51;
  options.segment_duration = 1;
  options.chunk_duration = 1;
  CHECK_NOTHROW(options.Validate());
  options.chunk_duration = 0;  // automatic
  options.encoder_threads = 1;
  CHECK_NOTHROW(options.Validate());
}

TEST_CASE("JobOptions::ChunkDuration cuts short sources finer, in whole segments") {
  JobOptions options;  // 6 s segments, automatic chunks
  CHECK(options.ChunkDuration(5) == 6);      // one segment at least
  CHECK(options.ChunkDuration(60) == 6);     // 10 chunks
  CHECK(options.ChunkDuration(200) == 18);   // 12.5 / 6 -> 3 segments
  CHECK(options.ChunkDuration(7200) == 20);  // capped
  CHECK(options.ChunkDuration(0) == 20);     // duration unknown
  options.segment_duration = 30;
  CHECK(options.ChunkDuration(7200) == 30);  // never under a segment
  options.chunk_duration = 45;
  CHECK(options.ChunkDuration(60) == 45);    // as given
}

TEST_CASE("JobOptions::Validate names the option out of range") {
  JobOptions options;
  SECTION("crf") {
    options.crf = 70;
    CHECK_THROWS_MATCHES(options.Validate(), Error,
                         IsError(ExitCode::kUsage, "--crf must be 0..51, got 70"));
    options.crf = -1;
    CHECK_THROWS_MATCHES(options.Validate(), Error, IsError(ExitCode::kUsage, "--crf"));
  }
  SECTION("preset") {
    options.preset = "fastest";
    CHECK_THROWS_MATCHES(options.Validate(), Error,
                         IsError(ExitCode::kUsage, "--preset must be one of ultrafast, "));
    CHECK_THROWS_MATCHES(options.Validate(), Error, IsError(ExitCode::kUsage, "got 'fastest'"));
  }
  SECTION("segment duration") {
    options.segment_duration = GENERATE(0.5, 61.0, std::nan(""));
    CHECK_THROWS_MATCHES(options.Validate(), Error,
                         IsError(ExitCode::kUsage, "--segment-duration must be 1..60"));
  }
  SECTION("chunk duration") {
    options.chunk_duration = GENERATE(5.9, 3601.0, -1.0, std::nan(""));
    CHECK_THROWS_MATCHES(options.Validate(), Error,
                         IsError(ExitCode::kUsage, "--chunk-duration must be 0 (automatic) or from"));
  }
  SECTION("dash with TS segments") {
    options.dash = true;
    options.format = SegmentFormat::kTs;
    CHECK_THROWS_MATCHES(options.Validate(), Error,
                         IsError(ExitCode::kUsage, "--dash needs --format fmp4"));
  }
  SECTION("encoder threads") {
    options.encoder_threads = GENERATE(0, 65);
    CHECK_THROWS_MATCHES(options.Validate(), Error,
                         IsError(ExitCode::kUsage, "--encoder-threads must be 1..64"));
  }
  SECTION("loudness") {
    options.loudness_lufs = GENERATE(-41.0, -4.0, std::nan(""));
    CHECK_THROWS_MATCHES(options.Validate(), Error,
                         IsError(ExitCode::kUsage, "--loudness must be -40..-5 LUFS or off"));
  }
  SECTION("true peak") {
    options.true_peak_dbtp = GENERATE(0.5, -10.0, std::nan(""));
    CHECK_THROWS_MATCHES(options.Validate(), Error,
                         IsError(ExitCode::kUsage, "--true-peak must be -9..0 dBTP"));
  }
}

TEST_CASE("ParseLoudnessTarget reads off and numbers of LUFS, nothing else") {
  CHECK_FALSE(ParseLoudnessTarget("off"));
  CHECK(ParseLoudnessTarget("-16") == -16.0);
  CHECK(ParseLoudnessTarget("-23.5") == -23.5);
  for (const char* bad : {"", "loud", "-16LUFS", " -16", "Off"}) {
    CAPTURE(bad);
    CHECK_THROWS_MATCHES(ParseLoudnessTarget(bad), Error,
                         IsError(ExitCode::kUsage, "--loudness takes a target in LUFS"));
  }
}

TEST_CASE("ValidateJobId accepts letters, digits, '.', '_' and '-'") {
  CHECK_NOTHROW(ValidateJobId("job-1"));
  CHECK_NOTHROW(ValidateJobId("A.b_c-9"));
  CHECK_NOTHROW(ValidateJobId("x"));
  CHECK_NOTHROW(ValidateJobId(std::string(128, 'a')));
}

TEST_CASE("ValidateJobId rejects IDs unfit for file names") {
  const auto [id, why] = GENERATE(table<std::string, std::string>({
      {"", "1 to 128 characters"},
      {std::string(129, 'a'), "1 to 128 characters"},
      {".hidden", "starts with '.'"},
      {"..", "starts with '.'"},
      {"a/b", "'/' is not allowed"},
      {"a b", "' ' is not allowed"},
      {"caf\xc3\xa9", "byte 0xc3 is not allowed"},
      {"tab\there", "byte 0x09 is not allowed"},
  }));
  CAPTURE(id);
  CHECK_THROWS_MATCHES(ValidateJobId(id), Error,
                       IsError(ExitCode::kUsage, "invalid job ID '" + id + "': "));
  CHECK_THROWS_MATCHES(ValidateJobId(id), Error, IsError(ExitCode::kUsage, why));
}

TEST_CASE("JobOptions survive a JSON round trip") {
  JobOptions options;
  SECTION("defaults, with the default ladder") {}
  SECTION("every field changed") {
    options.ladder = ParseLadder("1080p@6M,540p");
    options.preset = "slow";
    options.crf = 19;
    options.segment_duration = 4.5;
    options.chunk_duration = 0.1 + 0.2;  // a double with no short decimal form
    options.format = SegmentFormat::kTs;
    options.encoder_threads = 8;
    options.tmp = "file:///scratch/job";
    options.keep_tmp = true;
    options.thumbnails = false;
    options.loudness_lufs = -23;
    options.true_peak_dbtp = -2;
    options.surround = false;
  }
  SECTION("loudness off") { options.loudness_lufs = std::nullopt; }
  SECTION("with DASH") { options.dash = true; }
  const json j = options;
  CHECK(json::parse(j.dump()).get<JobOptions>() == options);
}

TEST_CASE("JobOptions JSON keeps the ladder in its command-line spelling") {
  JobOptions options;
  options.ladder = ParseLadder("720p@3M,360p");
  const json j = options;
  CHECK(j.at("ladder") == "720p@3000k,360p");
  CHECK(j.at("format") == "fmp4");
}

TEST_CASE("JobOptions from JSON stored before --dash existed means no DASH") {
  json j = JobOptions();
  j.erase("dash");
  CHECK_FALSE(j.get<JobOptions>().dash);
}

TEST_CASE("JobOptions from JSON stored before thumbnails existed match the default") {
  JobOptions options;
  options.thumbnails = false;
  json j = options;
  CHECK(j.at("thumbnails") == false);
  j.erase("thumbnails");
  CHECK(j.get<JobOptions>() == JobOptions());
}

TEST_CASE("JobOptions from JSON stored before loudness and surround existed match the default") {
  json j = JobOptions();
  j.erase("loudness");
  j.erase("true_peak");
  j.erase("surround");
  CHECK(j.get<JobOptions>() == JobOptions());
}

TEST_CASE("JobOptions from JSON rejects missing fields and unknown formats") {
  json j = JobOptions();
  j.erase("crf");
  CHECK_THROWS_AS(j.get<JobOptions>(), json::exception);
  j = JobOptions();
  j["format"] = "mkv";
  CHECK_THROWS_MATCHES(j.get<JobOptions>(), Error,
                       IsError(ExitCode::kDataError, "unknown segment format 'mkv'"));
}

SourceInfo SampleSourceInfo() {
  SourceInfo info;
  info.format = "mov,mp4,m4a,3gp,3g2,mj2";
  info.duration = 634.533;
  info.bit_rate = 4'500'000;
  info.size = 356'000'000'123;
  info.video = {.stream_index = 0,
                .codec = "h264",
                .width = 1440,
                .height = 1080,
                .sample_aspect = {4, 3},
                .frame_rate = {30000, 1001},
                .time_base = {1, 90000},
                .start_pts = -3003,
                .end_pts = 57'108'051,
                .frame_count = 19'024,
                .rotation = 90,
                .field_order = "tff",
                .colour = {.primaries = "bt2020",
                           .transfer = "smpte2084",
                           .matrix = "bt2020nc",
                           .range = "tv",
                           .chroma_location = "topleft",
                           .mastering_max_luminance = 4000,
                           .mastering_min_luminance = 0.005,
                           .max_cll = 1500,
                           .max_fall = 400},
                .colour_conversion = "tone-mapped"};
  info.audio = AudioInfo{.stream_index = 1,
                         .codec = "aac",
                         .sample_rate = 48000,
                         .channels = 2,
                         .time_base = {1, 48000},
                         .start_pts = -1024,
                         .language = "eng",
                         .title = "English"};
  info.more_audio = {AudioInfo{.stream_index = 2,
                               .codec = "opus",
                               .sample_rate = 48000,
                               .channels = 6,
                               .time_base = {1, 1000},
                               .start_pts = 0,
                               .language = "fra",
                               .title = ""}};
  return info;
}

TEST_CASE("SourceInfo survives a JSON round trip") {
  SourceInfo info = SampleSourceInfo();
  SECTION("with audio") {}
  SECTION("without audio") { info.audio.reset(); }
  const auto back = json::parse(json(info).dump()).get<SourceInfo>();
  CHECK(back.format == info.format);
  CHECK(back.duration == info.duration);
  CHECK(back.bit_rate == info.bit_rate);
  CHECK(back.size == info.size);
  // Field by field: comparing JSON alone would miss a field that to_json leaves out.
  CHECK(back.video.stream_index == info.video.stream_index);
  CHECK(back.video.codec == info.video.codec);
  CHECK(back.video.width == info.video.width);
  CHECK(back.video.height == info.video.height);
  CHECK(back.video.sample_aspect == info.video.sample_aspect);
  CHECK(back.video.frame_rate == info.video.frame_rate);
  CHECK(back.video.time_base == info.video.time_base);
  CHECK(back.video.start_pts == info.video.start_pts);
  CHECK(back.video.end_pts == info.video.end_pts);
  CHECK(back.video.frame_count == info.video.frame_count);
  CHECK(back.video.rotation == info.video.rotation);
  CHECK(back.video.field_order == info.video.field_order);
  CHECK(back.video.colour == info.video.colour);
  CHECK(back.video.colour_conversion == info.video.colour_conversion);
  REQUIRE(back.audio.has_value() == info.audio.has_value());
  if (info.audio) {
    CHECK(back.audio->stream_index == info.audio->stream_index);
    CHECK(back.audio->codec == info.audio->codec);
    CHECK(back.audio->sample_rate == info.audio->sample_rate);
    CHECK(back.audio->channels == info.audio->channels);
    CHECK(back.audio->time_base == info.audio->time_base);
    CHECK(back.audio->start_pts == info.audio->start_pts);
    CHECK(back.audio->language == info.audio->language);
    CHECK(back.audio->title == info.audio->title);
  }
  REQUIRE(back.more_audio.size() == info.more_audio.size());
  CHECK(back.more_audio[0].language == "fra");
  CHECK(json(back) == json(info));
}

TEST_CASE("SourceInfo stored before rotation, field order, colour and more audio tracks reads") {
  json old = SampleSourceInfo();
  old["video"].erase("colour");
  old["video"].erase("colour_conversion");
  old.erase("more_audio");
  old["video"].erase("rotation");
  old["video"].erase("field_order");
  old["audio"].erase("language");
  old["audio"].erase("title");
  const auto back = old.get<SourceInfo>();
  CHECK(back.video.rotation == 0);
  CHECK(back.video.field_order == "progressive");
  // Made without a colour stage: read as BT.709, so it resumes without one.
  CHECK(back.video.colour.primaries == "bt709");
  CHECK(back.video.colour.matrix == "bt709");
  CHECK(back.video.colour.range == "tv");
  CHECK(back.video.colour_conversion == "none");
  CHECK(back.audio->language.empty());
  CHECK(back.more_audio.empty());
}

TEST_CASE("Rational JSON is num and den") {
  CHECK(json(Rational{30000, 1001}) == json{{"num", 30000}, {"den", 1001}});
  CHECK(json{{"num", 25}, {"den", 1}}.get<Rational>() == Rational{25, 1});
}

}  // namespace
}  // namespace vodctl
