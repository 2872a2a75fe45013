#include "pipeline/iframe_playlist.h"

#include "vodctl/error.h"

#include <catch2/catch.hpp>

namespace vodctl {
namespace {

TEST_CASE("IFramePlaylistBuilder: an entry per key frame, lasting until the next") {
  IFramePlaylistBuilder builder(Rational{1, 25});  // pts counts frames at 25 fps
  builder.AddSegment("seg_00000.m4s", {{0, 0, 5000}, {13, 9000, 4000}});  // a scene cut at 13
  builder.AddSegment("seg_00001.m4s", {{50, 0, 6000}});
  const hls::MediaPlaylist playlist = builder.Finish(60, "init.mp4");
  CHECK(playlist.iframes_only);
  CHECK(playlist.init_uri == "init.mp4");
  REQUIRE(playlist.segments.size() == 3);
  CHECK(playlist.segments[0].uri == "seg_00000.m4s");
  CHECK(playlist.segments[0].duration == Approx(0.52));
  CHECK(playlist.segments[0].byte_range == hls::ByteRange{5000, 0});
  CHECK(playlist.segments[1].duration == Approx(1.48));
  CHECK(playlist.segments[1].byte_range == hls::ByteRange{4000, 9000});
  CHECK(playlist.segments[2].uri == "seg_00001.m4s");
  CHECK(playlist.segments[2].duration == Approx(0.4));  // until the end of the last frame
  CHECK(playlist.segments[2].byte_range == hls::ByteRange{6000, 0});

  // Peak: 6000 bytes over 0.4 s; average: 15000 bytes over 2.4 s.
  CHECK(IFramePlaylistBuilder::Bandwidth(playlist) == std::pair<int64_t, int64_t>{120000, 50000});
}

TEST_CASE("IFramePlaylistBuilder refuses key frames out of order and an empty playlist") {
  IFramePlaylistBuilder builder(Rational{1, 25});
  CHECK_THROWS_AS(builder.Finish(10, std::nullopt), Error);
  builder.AddSegment("seg_00000.ts", {{50, 0, 1000}});
  CHECK_THROWS_AS(builder.AddSegment("seg_00001.ts", {{50, 0, 1000}}), Error);
}

}  // namespace
}  // namespace vodctl
