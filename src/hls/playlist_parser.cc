#include "hls/playlist_parser.h"

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "vodctl/error.h"

namespace vodctl::hls {
namespace {

struct Line {
  int number;
  std::string_view text;
};

// Non-blank lines, without their line breaks; the first must be #EXTM3U (RFC 8216 4.3.1.1).
std::vector<Line> Lines(std::string_view text) {
  std::vector<Line> lines;
  int number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (!line.empty()) lines.push_back({number, line});
  }
  if (lines.empty() || lines.front().text != "#EXTM3U") {
    Fail(ExitCode::kDataError, "line 1: not a playlist: it does not start with #EXTM3U");
  }
  return lines;
}

// The value of tag `name` ("#EXTINF") on `line`, or nullopt when the line is another tag.
std::optional<std::string_view> TagValue(std::string_view line, std::string_view name) {
  if (!line.starts_with(name)) return std::nullopt;
  line.remove_prefix(name.size());
  if (line.empty()) return line;
  if (line.front() != ':') return std::nullopt;  // "#EXT-X-MEDIA" is not "#EXT-X-MEDIA-SEQUENCE"
  return line.substr(1);
}

template <typename Number>
Number ParseNumber(std::string_view text, const Line& line, std::string_view what) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    Fail(ExitCode::kDataError, "line {}: {} '{}' is not a number", line.number, what, text);
  }
  return value;
}

std::string RequiredAttribute(const std::map<std::string, std::string>& attributes,
                              const char* name, const Line& line) {
  auto found = attributes.find(name);
  if (found == attributes.end() || found->second.empty()) {
    Fail(ExitCode::kDataError, "line {}: no {} attribute", line.number, name);
  }
  return found->second;
}

std::string OptionalAttribute(const std::map<std::string, std::string>& attributes,
                              const char* name) {
  auto found = attributes.find(name);
  return found == attributes.end() ? std::string() : found->second;
}

// The URI line that must follow a tag such as EXTINF or EXT-X-STREAM-INF.
std::string_view UriAfter(const std::vector<Line>& lines, size_t& i, std::string_view tag) {
  // Comments (# without EXT) may sit between the tag and its URI.
  do {
    ++i;
  } while (i < lines.size() && lines[i].text.starts_with('#') &&
           !lines[i].text.starts_with("#EXT"));
  if (i >= lines.size() || lines[i].text.starts_with('#')) {
    Fail(ExitCode::kDataError, "line {}: {} without a URI line after it", lines[i - 1].number, tag);
  }
  return lines[i].text;
}

}  // namespace

std::map<std::string, std::string> ParseAttributes(std::string_view text) {
  std::map<std::string, std::string> attributes;
  size_t i = 0;
  while (i < text.size()) {
    const size_t equals = text.find('=', i);
    if (equals == std::string_view::npos) {
      Fail(ExitCode::kDataError, "attribute without a value in '{}'", text);
    }
    const std::string name(text.substr(i, equals - i));
    size_t end;
    if (equals + 1 < text.size() && text[equals + 1] == '"') {
      const size_t close = text.find('"', equals + 2);
      if (close == std::string_view::npos) {
        Fail(ExitCode::kDataError, "unterminated quoted string in '{}'", text);
      }
      attributes[name] = std::string(text.substr(equals + 2, close - equals - 2));
      end = close + 1;
    } else {
      end = std::min(text.find(',', equals), text.size());
      attributes[name] = std::string(text.substr(equals + 1, end - equals - 1));
    }
    if (end < text.size() && text[end] != ',') {
      Fail(ExitCode::kDataError, "expected ',' after attribute {} in '{}'", name, text);
    }
    i = end + 1;
  }
  return attributes;
}

MasterPlaylist ParseMasterPlaylist(std::string_view text) {
  const std::vector<Line> lines = Lines(text);
  MasterPlaylist master;
  for (size_t i = 1; i < lines.size(); ++i) {
    const Line& line = lines[i];
    if (auto value = TagValue(line.text, "#EXT-X-VERSION")) {
      master.version = ParseNumber<int>(*value, line, "EXT-X-VERSION");
    } else if (auto value = TagValue(line.text, "#EXT-X-MEDIA")) {
      const auto attributes = ParseAttributes(*value);
      if (RequiredAttribute(attributes, "TYPE", line) != "AUDIO") continue;
      AudioRendition audio;
      audio.group_id = RequiredAttribute(attributes, "GROUP-ID", line);
      audio.name = OptionalAttribute(attributes, "NAME");
      audio.language = OptionalAttribute(attributes, "LANGUAGE");
      const std::string channels = OptionalAttribute(attributes, "CHANNELS");
      // CHANNELS is "2" or, for spatial audio, "16/JOC": the count comes first.
      audio.channels = channels.empty() ? 0
                                        : ParseNumber<int>(channels.substr(0, channels.find('/')),
                                                           line, "CHANNELS");
      audio.uri = OptionalAttribute(attributes, "URI");
      master.audio.push_back(std::move(audio));
    } else if (auto value = TagValue(line.text, "#EXT-X-STREAM-INF")) {
      const auto attributes = ParseAttributes(*value);
      VariantStream variant;
      variant.bandwidth =
          ParseNumber<int64_t>(RequiredAttribute(attributes, "BANDWIDTH", line), line, "BANDWIDTH");
      if (auto average = OptionalAttribute(attributes, "AVERAGE-BANDWIDTH"); !average.empty()) {
        variant.average_bandwidth = ParseNumber<int64_t>(average, line, "AVERAGE-BANDWIDTH");
      }
      variant.codecs = OptionalAttribute(attributes, "CODECS");
      if (auto resolution = OptionalAttribute(attributes, "RESOLUTION"); !resolution.empty()) {
        const size_t x = resolution.find('x');
        if (x == std::string::npos) {
          Fail(ExitCode::kDataError, "line {}: RESOLUTION '{}' is not WxH", line.number,
               resolution);
        }
        variant.width =
            ParseNumber<int>(std::string_view(resolution).substr(0, x), line, "RESOLUTION");
        variant.height =
            ParseNumber<int>(std::string_view(resolution).substr(x + 1), line, "RESOLUTION");
      }
      if (auto rate = OptionalAttribute(attributes, "FRAME-RATE"); !rate.empty()) {
        variant.frame_rate = ParseNumber<double>(rate, line, "FRAME-RATE");
      }
      variant.video_range = OptionalAttribute(attributes, "VIDEO-RANGE");
      variant.audio_group = OptionalAttribute(attributes, "AUDIO");
      variant.uri = std::string(UriAfter(lines, i, "EXT-X-STREAM-INF"));
      master.variants.push_back(std::move(variant));
    } else if (TagValue(line.text, "#EXTINF") || TagValue(line.text, "#EXT-X-TARGETDURATION")) {
      Fail(ExitCode::kDataError, "line {}: a media playlist, not a master playlist", line.number);
    } else if (!line.text.starts_with('#')) {
      Fail(ExitCode::kDataError, "line {}: URI '{}' without EXT-X-STREAM-INF", line.number,
           line.text);
    }
  }
  if (master.variants.empty()) Fail(ExitCode::kDataError, "no EXT-X-STREAM-INF variant");
  return master;
}

ParsedMediaPlaylist ParseMediaPlaylist(std::string_view text) {
  const std::vector<Line> lines = Lines(text);
  ParsedMediaPlaylist playlist;
  bool has_target = false;
  for (size_t i = 1; i < lines.size(); ++i) {
    const Line& line = lines[i];
    if (auto value = TagValue(line.text, "#EXT-X-TARGETDURATION")) {
      playlist.target_duration = ParseNumber<int64_t>(*value, line, "EXT-X-TARGETDURATION");
      has_target = true;
    } else if (auto value = TagValue(line.text, "#EXT-X-MAP")) {
      playlist.init_uri = RequiredAttribute(ParseAttributes(*value), "URI", line);
    } else if (auto value = TagValue(line.text, "#EXTINF")) {
      const std::string_view duration = value->substr(0, value->find(','));
      ParsedSegment segment;
      segment.duration = ParseNumber<double>(duration, line, "EXTINF duration");
      if (!std::isfinite(segment.duration) || segment.duration < 0) {
        Fail(ExitCode::kDataError, "line {}: EXTINF duration '{}' is negative", line.number,
             duration);
      }
      const size_t point = duration.find('.');
      const size_t places = point == std::string_view::npos ? 0 : duration.size() - point - 1;
      segment.duration_rounding = 0.5 * std::pow(10.0, -static_cast<double>(places));
      segment.uri = std::string(UriAfter(lines, i, "EXTINF"));
      playlist.segments.push_back(std::move(segment));
    } else if (TagValue(line.text, "#EXT-X-ENDLIST")) {
      playlist.has_endlist = true;
    } else if (TagValue(line.text, "#EXT-X-STREAM-INF")) {
      Fail(ExitCode::kDataError, "line {}: a master playlist, not a media playlist", line.number);
    } else if (!line.text.starts_with('#')) {
      Fail(ExitCode::kDataError, "line {}: URI '{}' without EXTINF", line.number, line.text);
    }
  }
  if (!has_target) Fail(ExitCode::kDataError, "no EXT-X-TARGETDURATION");
  return playlist;
}

}  // namespace vodctl::hls
