#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <string>
#include <string_view>

#include "vodctl/error.h"
#include "vodctl/playlist.h"

namespace vodctl::hls {
namespace {

// A quote would end the EXT-X-MAP quoted-string early and a line break would start a new tag.
// URIs come from vodctl itself, so one that does not fit is a bug.
void CheckUri(std::string_view uri) {
  if (uri.empty() || uri.find_first_of("\"\r\n") != std::string_view::npos) {
    Fail(ExitCode::kSoftware, "cannot write URI {:?} in a playlist", uri);
  }
}

}  // namespace

std::string RenderMediaPlaylist(const MediaPlaylist& playlist) {
  long target_duration = 1;
  std::string segment_lines;
  for (const MediaSegment& segment : playlist.segments) {
    CheckUri(segment.uri);
    if (!std::isfinite(segment.duration) || segment.duration < 0) {
      Fail(ExitCode::kSoftware, "segment '{}' has duration {}", segment.uri, segment.duration);
    }
    const std::string duration = FormatDecimal(segment.duration, 6);
    // RFC 8216 4.3.3.1 bounds the EXTINF duration rounded to the nearest integer, so round
    // the value as written: 6.4999996 is written as 6.500000 and needs a target of 7.
    double written = 0;
    std::from_chars(duration.data(), duration.data() + duration.size(), written);
    target_duration = std::max(target_duration, std::lround(written));
    fmt::format_to(std::back_inserter(segment_lines), "#EXTINF:{},\n", duration);
    if (const std::optional<ByteRange>& range = segment.byte_range) {
      if (range->length <= 0 || range->offset < 0) {
        Fail(ExitCode::kSoftware, "segment '{}' has byte range {}@{}", segment.uri,
             range->length, range->offset);
      }
      // Always with the offset: a range without one continues the previous, which would tie
      // each line to the one before it.
      fmt::format_to(std::back_inserter(segment_lines), "#EXT-X-BYTERANGE:{}@{}\n",
                     range->length, range->offset);
    }
    fmt::format_to(std::back_inserter(segment_lines), "{}\n", segment.uri);
  }

  std::string out;
  auto line = std::back_inserter(out);
  // RFC 8216 7: EXT-X-MAP needs version 6 (vodctl's fMP4 uses 7 throughout), byte ranges and
  // EXT-X-I-FRAMES-ONLY version 4.
  const int version = playlist.init_uri ? 7 : playlist.iframes_only ? 4 : 3;
  fmt::format_to(line, "#EXTM3U\n#EXT-X-VERSION:{}\n", version);
  fmt::format_to(line, "#EXT-X-TARGETDURATION:{}\n", target_duration);
  fmt::format_to(line, "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n");
  fmt::format_to(line, "#EXT-X-INDEPENDENT-SEGMENTS\n");
  if (playlist.iframes_only) fmt::format_to(line, "#EXT-X-I-FRAMES-ONLY\n");
  if (playlist.init_uri) {
    CheckUri(*playlist.init_uri);
    fmt::format_to(line, "#EXT-X-MAP:URI=\"{}\"\n", *playlist.init_uri);
  }
  out += segment_lines;
  out += "#EXT-X-ENDLIST\n";
  return out;
}

}  // namespace vodctl::hls
