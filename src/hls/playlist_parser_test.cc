#include "hls/playlist_parser.h"

#include <catch2/catch.hpp>
#include <string>

#include "vodctl/error.h"
#include "vodctl/playlist.h"

namespace vodctl::hls {
namespace {

std::string ParseError(std::string_view text, bool master) {
  try {
    if (master) {
      ParseMasterPlaylist(text);
    } else {
      ParseMediaPlaylist(text);
    }
  } catch (const Error& e) {
    return e.code() == ExitCode::kDataError ? e.what() : "wrong exit code";
  }
  return "no error";
}

TEST_CASE("ParseMasterPlaylist reads back what RenderMasterPlaylist writes") {
  MasterPlaylist written;
  written.version = 7;
  written.audio = {{"audio", "Audio", "und", 2, "audio/index.m3u8"}};
  written.variants = {
      {"720p/index.m3u8", 3200000, 2800000, "avc1.64001f,mp4a.40.2", 1280, 720, 25, "audio", ""},
      {"360p/index.m3u8", 900000, 750000, "avc1.42c01e,mp4a.40.2", 640, 360, 29.97, "audio", "SDR"},
  };
  const MasterPlaylist read = ParseMasterPlaylist(RenderMasterPlaylist(written));
  CHECK(read.version == 7);
  REQUIRE(read.audio.size() == 1);
  CHECK(read.audio[0].group_id == "audio");
  CHECK(read.audio[0].channels == 2);
  CHECK(read.audio[0].uri == "audio/index.m3u8");
  REQUIRE(read.variants.size() == 2);
  CHECK(read.variants[1].uri == "360p/index.m3u8");
  CHECK(read.variants[1].bandwidth == 900000);
  CHECK(read.variants[1].average_bandwidth == 750000);
  CHECK(read.variants[1].codecs == "avc1.42c01e,mp4a.40.2");
  CHECK(read.variants[1].width == 640);
  CHECK(read.variants[1].height == 360);
  CHECK(read.variants[1].frame_rate == Approx(29.97));
  CHECK(read.variants[1].audio_group == "audio");
  CHECK(read.variants[1].video_range == "SDR");
  CHECK(read.variants[0].video_range.empty());
}

TEST_CASE("ParseMasterPlaylist skips tags it does not know and other media types") {
  const MasterPlaylist read = ParseMasterPlaylist(
      "#EXTM3U\r\n"
      "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",URI=\"subs.m3u8\"\r\n"
      "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=100000,URI=\"720p/iframes.m3u8\"\r\n"
      "\r\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=100\r\n"
      "# a comment\r\n"
      "a/index.m3u8\r\n");
  CHECK(read.audio.empty());
  REQUIRE(read.variants.size() == 1);
  CHECK(read.variants[0].uri == "a/index.m3u8");
  CHECK(read.variants[0].bandwidth == 100);
}

TEST_CASE("ParseMasterPlaylist rejects what is not a master playlist, naming the line") {
  CHECK(ParseError("", true) == "line 1: not a playlist: it does not start with #EXTM3U");
  CHECK(ParseError("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n", true) ==
        "line 2: EXT-X-STREAM-INF without a URI line after it");
  CHECK(ParseError("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=lots\na.m3u8\n", true) ==
        "line 2: BANDWIDTH 'lots' is not a number");
  CHECK(ParseError("#EXTM3U\n#EXT-X-STREAM-INF:CODECS=\"avc1\"\na.m3u8\n", true) ==
        "line 2: no BANDWIDTH attribute");
  CHECK(ParseError("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n", true) ==
        "line 2: a media playlist, not a master playlist");
  CHECK(ParseError("#EXTM3U\n#EXT-X-VERSION:3\n", true) == "no EXT-X-STREAM-INF variant");
}

TEST_CASE("ParseMediaPlaylist reads back what RenderMediaPlaylist writes") {
  MediaPlaylist written;
  written.init_uri = "init.mp4";
  written.segments = {{"seg_00000.m4s", 2.0}, {"seg_00001.m4s", 6.5}, {"seg_00002.m4s", 0.52}};
  const ParsedMediaPlaylist read = ParseMediaPlaylist(RenderMediaPlaylist(written));
  CHECK(read.init_uri == "init.mp4");
  CHECK(read.target_duration == 7);
  CHECK(read.has_endlist);
  REQUIRE(read.segments.size() == 3);
  CHECK(read.segments[1].uri == "seg_00001.m4s");
  CHECK(read.segments[1].duration == 6.5);
  CHECK(read.segments[2].duration == Approx(0.52));
  CHECK(read.segments[2].duration_rounding == Approx(0.5e-6));
}

TEST_CASE("ParseMediaPlaylist takes EXTINF titles and integer durations") {
  const ParsedMediaPlaylist read = ParseMediaPlaylist(
      "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,title, with comma\nhttp/a.ts\n");
  CHECK_FALSE(read.init_uri);
  CHECK_FALSE(read.has_endlist);
  REQUIRE(read.segments.size() == 1);
  CHECK(read.segments[0].uri == "http/a.ts");
  CHECK(read.segments[0].duration == 10);
  CHECK(read.segments[0].duration_rounding == 0.5);
}

TEST_CASE("ParseMediaPlaylist rejects what is not a media playlist, naming the line") {
  CHECK(ParseError("#EXTM3U\n#EXTINF:2,\na.ts\n", false) == "no EXT-X-TARGETDURATION");
  CHECK(ParseError("#EXTM3U\n#EXT-X-TARGETDURATION:2\na.ts\n", false) ==
        "line 3: URI 'a.ts' without EXTINF");
  CHECK(ParseError("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:-1,\na.ts\n", false) ==
        "line 3: EXTINF duration '-1' is negative");
  CHECK(ParseError("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:two,\na.ts\n", false) ==
        "line 3: EXTINF duration 'two' is not a number");
  CHECK(ParseError("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n", false) ==
        "line 2: a master playlist, not a media playlist");
  CHECK(ParseError("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:BYTERANGE=\"1@0\"\n", false) ==
        "line 3: no URI attribute");
}

TEST_CASE("ParseAttributes keeps commas inside quoted strings") {
  const auto attributes = ParseAttributes("A=1,B=\"x,y\",C=z");
  CHECK(attributes.at("A") == "1");
  CHECK(attributes.at("B") == "x,y");
  CHECK(attributes.at("C") == "z");
}

}  // namespace
}  // namespace vodctl::hls
