#include <fmt/format.h>

#include <iterator>
#include <set>
#include <string>
#include <string_view>

#include "vodctl/error.h"
#include "vodctl/playlist.h"

namespace vodctl::hls {
namespace {

// RFC 8216 4.2: a quoted-string cannot hold a quote or a line break, and there is no escape;
// a URI line cannot hold a line break. Values come from vodctl itself, so one that does not
// fit is a bug.
void CheckValue(std::string_view value, std::string_view attribute) {
  if (value.empty() || value.find_first_of("\"\r\n") != std::string_view::npos) {
    Fail(ExitCode::kSoftware, "cannot write {} {:?} in a playlist", attribute, value);
  }
}

std::string Quoted(std::string_view value, std::string_view attribute) {
  CheckValue(value, attribute);
  return fmt::format("\"{}\"", value);
}

}  // namespace

std::string RenderMasterPlaylist(const MasterPlaylist& playlist) {
  if (playlist.variants.empty()) Fail(ExitCode::kSoftware, "master playlist without variants");

  std::string out;
  auto line = std::back_inserter(out);
  fmt::format_to(line, "#EXTM3U\n#EXT-X-VERSION:{}\n#EXT-X-INDEPENDENT-SEGMENTS\n",
                 playlist.version);

  // Players pick the DEFAULT=YES rendition of a group when the user has not chosen one.
  std::set<std::string> groups;
  for (const AudioRendition& audio : playlist.audio) {
    const bool first_in_group = groups.insert(audio.group_id).second;
    fmt::format_to(line, "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID={},NAME={},",
                   Quoted(audio.group_id, "GROUP-ID"), Quoted(audio.name, "NAME"));
    if (!audio.language.empty()) {
      fmt::format_to(line, "LANGUAGE={},", Quoted(audio.language, "LANGUAGE"));
    }
    fmt::format_to(line, "DEFAULT={},AUTOSELECT=YES,CHANNELS=\"{}\",URI={}\n",
                   first_in_group ? "YES" : "NO", audio.channels, Quoted(audio.uri, "URI"));
  }

  // Attributes the model leaves at 0 or empty are unknown and left out, not written as 0.
  for (const VariantStream& variant : playlist.variants) {
    fmt::format_to(line, "#EXT-X-STREAM-INF:BANDWIDTH={}", variant.bandwidth);
    if (variant.average_bandwidth > 0) {
      fmt::format_to(line, ",AVERAGE-BANDWIDTH={}", variant.average_bandwidth);
    }
    if (!variant.codecs.empty()) {
      fmt::format_to(line, ",CODECS={}", Quoted(variant.codecs, "CODECS"));
    }
    if (variant.width > 0 && variant.height > 0) {
      fmt::format_to(line, ",RESOLUTION={}x{}", variant.width, variant.height);
    }
    if (variant.frame_rate > 0) {
      fmt::format_to(line, ",FRAME-RATE={}", FormatDecimal(variant.frame_rate, 3));
    }
    if (!variant.video_range.empty()) {
      // RFC 8216bis 4.4.6.2: an enumerated string, unquoted.
      if (variant.video_range != "SDR" && variant.video_range != "PQ" &&
          variant.video_range != "HLG") {
        Fail(ExitCode::kSoftware, "variant '{}': VIDEO-RANGE '{}' is not SDR, PQ or HLG",
             variant.uri, variant.video_range);
      }
      fmt::format_to(line, ",VIDEO-RANGE={}", variant.video_range);
    }
    if (!variant.audio_group.empty()) {
      // RFC 8216 4.3.4.2: AUDIO must name the GROUP-ID of an EXT-X-MEDIA tag.
      if (!groups.contains(variant.audio_group)) {
        Fail(ExitCode::kSoftware, "variant '{}' refers to missing audio group '{}'", variant.uri,
             variant.audio_group);
      }
      fmt::format_to(line, ",AUDIO={}", Quoted(variant.audio_group, "AUDIO"));
    }
    CheckValue(variant.uri, "URI");
    fmt::format_to(line, "\n{}\n", variant.uri);
  }

  for (const IFrameStream& stream : playlist.iframe_streams) {
    fmt::format_to(line, "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH={}", stream.bandwidth);
    if (stream.average_bandwidth > 0) {
      fmt::format_to(line, ",AVERAGE-BANDWIDTH={}", stream.average_bandwidth);
    }
    if (!stream.codecs.empty()) fmt::format_to(line, ",CODECS={}", Quoted(stream.codecs, "CODECS"));
    if (stream.width > 0 && stream.height > 0) {
      fmt::format_to(line, ",RESOLUTION={}x{}", stream.width, stream.height);
    }
    fmt::format_to(line, ",URI={}\n", Quoted(stream.uri, "URI"));
  }
  return out;
}

}  // namespace vodctl::hls
