#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "vodctl/error.h"
#include "vodctl/playlist.h"

namespace vodctl::hls {
namespace {

ExitCode CodeOf(const MediaPlaylist& playlist) {
  try {
    RenderMediaPlaylist(playlist);
  } catch (const Error& e) {
    return e.code();
  }
  return ExitCode::kOk;
}

TEST_CASE("RenderMediaPlaylist writes an fMP4 VOD playlist") {
  MediaPlaylist playlist;
  playlist.init_uri = "init.mp4";
  playlist.segments = {{"seg_00000.m4s", 6.0}, {"seg_00001.m4s", 6.006}, {"seg_00002.m4s", 2.5}};
  CHECK(RenderMediaPlaylist(playlist) ==
        "#EXTM3U\n"
        "#EXT-X-VERSION:7\n"
        "#EXT-X-TARGETDURATION:6\n"
        "#EXT-X-MEDIA-SEQUENCE:0\n"
        "#EXT-X-PLAYLIST-TYPE:VOD\n"
        "#EXT-X-INDEPENDENT-SEGMENTS\n"
        "#EXT-X-MAP:URI=\"init.mp4\"\n"
        "#EXTINF:6.000000,\n"
        "seg_00000.m4s\n"
        "#EXTINF:6.006000,\n"
        "seg_00001.m4s\n"
        "#EXTINF:2.500000,\n"
        "seg_00002.m4s\n"
        "#EXT-X-ENDLIST\n");
}

TEST_CASE("RenderMediaPlaylist writes a TS playlist without EXT-X-MAP") {
  MediaPlaylist playlist;
  playlist.segments = {{"seg_00000.ts", 4.0}, {"seg_00001.ts", 1.0 / 3}};
  CHECK(RenderMediaPlaylist(playlist) ==
        "#EXTM3U\n"
        "#EXT-X-VERSION:3\n"
        "#EXT-X-TARGETDURATION:4\n"
        "#EXT-X-MEDIA-SEQUENCE:0\n"
        "#EXT-X-PLAYLIST-TYPE:VOD\n"
        "#EXT-X-INDEPENDENT-SEGMENTS\n"
        "#EXTINF:4.000000,\n"
        "seg_00000.ts\n"
        "#EXTINF:0.333333,\n"
        "seg_00001.ts\n"
        "#EXT-X-ENDLIST\n");
}

TEST_CASE("EXT-X-TARGETDURATION is the longest segment rounded to the nearest second") {
  const auto target_for = [](double longest) {
    MediaPlaylist playlist;
    playlist.segments = {{"a.ts", 0.4}, {"b.ts", longest}, {"c.ts", 1.0}};
    const std::string text = RenderMediaPlaylist(playlist);
    const size_t start = text.find("#EXT-X-TARGETDURATION:") + 22;
    return std::stoi(text.substr(start, text.find('\n', start) - start));
  };
  CHECK(target_for(6.006) == 6);
  CHECK(target_for(6.499) == 6);
  CHECK(target_for(6.5) == 7);
  CHECK(target_for(6.6) == 7);
  CHECK(target_for(10.0) == 10);
  CHECK(target_for(0.2) == 1);  // never 0
  // Rounded as written in EXTINF, which is what a player checks.
  CHECK(target_for(6.4999996) == 7);

  CHECK_THAT(RenderMediaPlaylist({}), Catch::Contains("#EXT-X-TARGETDURATION:1\n"));
}

TEST_CASE("RenderMediaPlaylist writes an fMP4 I-frame playlist with byte ranges") {
  MediaPlaylist playlist;
  playlist.init_uri = "init.mp4";
  playlist.iframes_only = true;
  playlist.segments = {{"seg_00000.m4s", 2.0, ByteRange{1200, 0}},
                       {"seg_00000.m4s", 0.52, ByteRange{800, 5000}},
                       {"seg_00001.m4s", 1.48, ByteRange{1100, 0}}};
  CHECK(RenderMediaPlaylist(playlist) ==
        "#EXTM3U\n"
        "#EXT-X-VERSION:7\n"
        "#EXT-X-TARGETDURATION:2\n"
        "#EXT-X-MEDIA-SEQUENCE:0\n"
        "#EXT-X-PLAYLIST-TYPE:VOD\n"
        "#EXT-X-INDEPENDENT-SEGMENTS\n"
        "#EXT-X-I-FRAMES-ONLY\n"
        "#EXT-X-MAP:URI=\"init.mp4\"\n"
        "#EXTINF:2.000000,\n"
        "#EXT-X-BYTERANGE:1200@0\n"
        "seg_00000.m4s\n"
        "#EXTINF:0.520000,\n"
        "#EXT-X-BYTERANGE:800@5000\n"
        "seg_00000.m4s\n"
        "#EXTINF:1.480000,\n"
        "#EXT-X-BYTERANGE:1100@0\n"
        "seg_00001.m4s\n"
        "#EXT-X-ENDLIST\n");
}

TEST_CASE("A TS I-frame playlist is version 4") {
  MediaPlaylist playlist;
  playlist.iframes_only = true;
  playlist.segments = {{"seg_00000.ts", 4.0, ByteRange{3008, 0}}};
  const std::string text = RenderMediaPlaylist(playlist);
  CHECK_THAT(text, Catch::StartsWith("#EXTM3U\n#EXT-X-VERSION:4\n"));
  CHECK_THAT(text, Catch::Contains("#EXT-X-I-FRAMES-ONLY\n#EXTINF:4.000000,\n"
                                   "#EXT-X-BYTERANGE:3008@0\nseg_00000.ts\n"));
}

TEST_CASE("RenderMediaPlaylist rejects what it cannot write") {
  CHECK(CodeOf({std::nullopt, {{"a.ts", 1, ByteRange{0, 0}}}}) == ExitCode::kSoftware);
  CHECK(CodeOf({std::nullopt, {{"a.ts", 1, ByteRange{10, -1}}}}) == ExitCode::kSoftware);
  CHECK(CodeOf({"init\".mp4", {{"a.m4s", 1}}}) == ExitCode::kSoftware);
  CHECK(CodeOf({std::nullopt, {{"a.ts\n#EXT-X-ENDLIST", 1}}}) == ExitCode::kSoftware);
  CHECK(CodeOf({std::nullopt, {{"a\r.ts", 1}}}) == ExitCode::kSoftware);
  CHECK(CodeOf({std::nullopt, {{"", 1}}}) == ExitCode::kSoftware);
  CHECK(CodeOf({std::nullopt, {{"a.ts", -1}}}) == ExitCode::kSoftware);
  CHECK(CodeOf({std::nullopt, {{"a.ts", NAN}}}) == ExitCode::kSoftware);
  CHECK(CodeOf({std::nullopt, {{"a.ts", INFINITY}}}) == ExitCode::kSoftware);
}

}  // namespace
}  // namespace vodctl::hls
