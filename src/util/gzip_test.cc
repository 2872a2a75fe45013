#include "util/gzip.h"

#include <catch2/catch.hpp>

#include "vodctl/error.h"

namespace vodctl {
namespace {

// `printf '#EXTM3U\n' | gzip -n`: GNU gzip's stream, not zlib's.
const std::string kGnuGzipOfHeader(
    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x53\x76\x8d\x08\xf1\x35\x0e\xe5\x02\x00\xb5\x98"
    "\xec\x41\x08\x00\x00\x00",
    28);

TEST_CASE("Gunzip reads a stream GNU gzip wrote") {
  CHECK(Gunzip(kGnuGzipOfHeader, "test") == "#EXTM3U\n");
}

TEST_CASE("Gzip round-trips, the same bytes each time, with no time in the header") {
  std::string playlist = "#EXTM3U\n";
  for (int i = 0; i < 2000; ++i) playlist += "#EXTINF:6.000,\nseg_0123456789_" + std::to_string(i) + ".m4s\n";
  const std::string compressed = Gzip(playlist);
  CHECK(LooksGzipped(compressed));
  CHECK(compressed.size() < playlist.size() / 5);
  CHECK(compressed.substr(4, 4) == std::string(4, '\0'));  // MTIME (RFC 1952 2.3.1)
  CHECK(Gzip(playlist) == compressed);
  CHECK(Gunzip(compressed, "test") == playlist);
  CHECK(Gunzip(Gzip(""), "test").empty());
}

TEST_CASE("Gunzip refuses a cut or trailing stream, naming what it read") {
  const std::string compressed = Gzip("#EXTM3U\n#EXT-X-VERSION:7\n");
  CHECK_THROWS_WITH(Gunzip(compressed.substr(0, compressed.size() - 3), "out/master.m3u8"),
                    Catch::Contains("out/master.m3u8: not a whole gzip stream"));
  CHECK_THROWS_WITH(Gunzip(compressed + "x", "out/master.m3u8"),
                    Catch::Contains("bytes after the gzip stream"));
  CHECK_FALSE(LooksGzipped("#EXTM3U\n"));
}

}  // namespace
}  // namespace vodctl
