#include <catch2/catch.hpp>
#include <string>

#include "vodctl/error.h"
#include "vodctl/playlist.h"

namespace vodctl::hls {
namespace {

MasterPlaylist Ladder() {
  MasterPlaylist playlist;
  playlist.audio = {{"audio", "Audio", "und", 2, "audio/index.m3u8"}};
  playlist.variants = {
      {"720p/index.m3u8", 3200000, 2800000, "avc1.64001f,mp4a.40.2", 1280, 720, 25, "audio", "SDR"},
      {"360p/index.m3u8", 900000, 750000, "avc1.42c01e,mp4a.40.2", 640, 360, 29.97002997, "audio",
       "SDR"},
  };
  return playlist;
}

std::string ErrorText(const MasterPlaylist& playlist) {
  try {
    RenderMasterPlaylist(playlist);
  } catch (const Error& e) {
    return e.code() == ExitCode::kSoftware ? e.what() : "wrong exit code";
  }
  return "no error";
}

TEST_CASE("RenderMasterPlaylist writes renditions and variants in order") {
  CHECK(RenderMasterPlaylist(Ladder()) ==
        "#EXTM3U\n"
        "#EXT-X-VERSION:7\n"
        "#EXT-X-INDEPENDENT-SEGMENTS\n"
        "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"Audio\",LANGUAGE=\"und\",DEFAULT=YES,"
        "AUTOSELECT=YES,CHANNELS=\"2\",URI=\"audio/index.m3u8\"\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=3200000,AVERAGE-BANDWIDTH=2800000,"
        "CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720,FRAME-RATE=25.000,VIDEO-RANGE=SDR,"
        "AUDIO=\"audio\"\n"
        "720p/index.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=750000,"
        "CODECS=\"avc1.42c01e,mp4a.40.2\",RESOLUTION=640x360,FRAME-RATE=29.970,VIDEO-RANGE=SDR,"
        "AUDIO=\"audio\"\n"
        "360p/index.m3u8\n");
}

TEST_CASE("RenderMasterPlaylist without separate audio") {
  MasterPlaylist playlist;
  playlist.version = 3;
  playlist.variants = {
      {"720p/index.m3u8", 3200000, 0, "avc1.64001f,mp4a.40.2", 1280, 720, 0, "", ""}};
  CHECK(RenderMasterPlaylist(playlist) ==
        "#EXTM3U\n"
        "#EXT-X-VERSION:3\n"
        "#EXT-X-INDEPENDENT-SEGMENTS\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=3200000,CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720\n"
        "720p/index.m3u8\n");
}

TEST_CASE("RenderMasterPlaylist writes I-frame streams after the variants") {
  MasterPlaylist playlist = Ladder();
  playlist.iframe_streams = {{"720p/iframes.m3u8", 410000, 150000, "avc1.64001f", 1280, 720},
                             {"360p/iframes.m3u8", 120000, 0, "avc1.42c01e", 640, 360}};
  const std::string text = RenderMasterPlaylist(playlist);
  CHECK_THAT(text, Catch::EndsWith(
                       "360p/index.m3u8\n"
                       "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=410000,AVERAGE-BANDWIDTH=150000,"
                       "CODECS=\"avc1.64001f\",RESOLUTION=1280x720,URI=\"720p/iframes.m3u8\"\n"
                       "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=120000,CODECS=\"avc1.42c01e\","
                       "RESOLUTION=640x360,URI=\"360p/iframes.m3u8\"\n"));
  playlist.iframe_streams[1].uri = "360p/\"iframes\".m3u8";
  CHECK(ErrorText(playlist) == "cannot write URI \"360p/\\\"iframes\\\".m3u8\" in a playlist");
}

TEST_CASE("RenderMasterPlaylist writes only the video ranges HLS defines") {
  MasterPlaylist playlist = Ladder();
  playlist.variants[0].video_range = "HDR";
  CHECK(ErrorText(playlist) ==
        "variant '720p/index.m3u8': VIDEO-RANGE 'HDR' is not SDR, PQ or HLG");
}

TEST_CASE("Only the first rendition of an audio group is the default") {
  MasterPlaylist playlist = Ladder();
  playlist.audio.push_back({"audio", "English", "en", 6, "audio_en/index.m3u8"});
  playlist.audio.push_back({"audio", "Commentary", "", 2, "audio_c/index.m3u8"});
  const std::string text = RenderMasterPlaylist(playlist);
  CHECK_THAT(text, Catch::Contains("NAME=\"Audio\",LANGUAGE=\"und\",DEFAULT=YES,"));
  CHECK_THAT(text, Catch::Contains("NAME=\"English\",LANGUAGE=\"en\",DEFAULT=NO,AUTOSELECT=YES,"
                                   "CHANNELS=\"6\",URI=\"audio_en/index.m3u8\"\n"));
  CHECK_THAT(text, Catch::Contains("NAME=\"Commentary\",DEFAULT=NO,"));  // no LANGUAGE when unknown
}

TEST_CASE("RenderMasterPlaylist rejects values it cannot quote") {
  MasterPlaylist playlist = Ladder();
  SECTION("a quote in a name") {
    playlist.audio[0].name = "Director's \"cut\"";
    CHECK(ErrorText(playlist) == "cannot write NAME \"Director's \\\"cut\\\"\" in a playlist");
  }
  SECTION("a line break in a rendition URI") {
    playlist.audio[0].uri = "audio/index.m3u8\n#EXT-X-ENDLIST";
    CHECK(ErrorText(playlist) ==
          "cannot write URI \"audio/index.m3u8\\n#EXT-X-ENDLIST\" in a playlist");
  }
  SECTION("a line break in a variant URI") {
    playlist.variants[1].uri = "360p/index.m3u8\r\n";
    CHECK_THAT(ErrorText(playlist), Catch::StartsWith("cannot write URI"));
  }
  SECTION("a quote in the codecs") {
    playlist.variants[0].codecs = "avc1\"";
    CHECK_THAT(ErrorText(playlist), Catch::StartsWith("cannot write CODECS"));
  }
  SECTION("an audio group no rendition belongs to") {
    playlist.variants[0].audio_group = "aac";
    CHECK(ErrorText(playlist) == "variant '720p/index.m3u8' refers to missing audio group 'aac'");
  }
  SECTION("no variants") {
    playlist.variants.clear();
    CHECK(ErrorText(playlist) == "master playlist without variants");
  }
}

}  // namespace
}  // namespace vodctl::hls
