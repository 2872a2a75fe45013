#include "pipeline/verify.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <vector>

#include "hls/playlist_parser.h"
#include "media/segment_probe.h"
#include "vodctl/error.h"

namespace vodctl {
namespace {

// The output key a URI in playlist `from` names, or nullopt when it leaves the output (an
// absolute URL, a path above the root): verify checks the output's own files only.
std::optional<std::string> ResolveUri(const std::string& from, std::string_view uri) {
  if (uri.empty() || uri.starts_with('/') || uri.find("://") != std::string_view::npos ||
      uri.find_first_of("?#") != std::string_view::npos) {
    return std::nullopt;
  }
  std::vector<std::string> parts;
  const size_t slash = from.rfind('/');
  const std::string joined =
      (slash == std::string::npos ? std::string() : from.substr(0, slash + 1)) + std::string(uri);
  for (const auto piece : std::views::split(std::string_view(joined), '/')) {
    const std::string_view part(piece.begin(), piece.end());
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
    } else {
      parts.emplace_back(part);
    }
  }
  if (parts.empty()) return std::nullopt;
  std::string key = parts.front();
  for (size_t i = 1; i < parts.size(); ++i) key += "/" + parts[i];
  return key;
}

class Verifier {
 public:
  explicit Verifier(Storage& output) : output_(output) {}

  VerifyReport Run(std::string_view master_text) {
    std::optional<hls::MasterPlaylist> master = Parse<hls::MasterPlaylist>(
        kMasterPlaylistKey, master_text,
        [](std::string_view text) { return hls::ParseMasterPlaylist(text); });
    if (!master) return std::move(report_);

    CheckRenditionGroups(kMasterPlaylistKey, master->audio, report_.violations);
    std::map<std::string, const StreamFacts*> audio_groups;
    for (const hls::AudioRendition& audio : master->audio) {
      if (audio.uri.empty()) continue;  // muxed into the variants' own segments
      audio_groups[audio.group_id] = Stream(kMasterPlaylistKey, audio.uri);
    }
    std::vector<VariantFacts> variants;
    std::vector<const StreamFacts*> videos;
    for (const hls::VariantStream& variant : master->variants) {
      const StreamFacts* video = Stream(kMasterPlaylistKey, variant.uri);
      const StreamFacts* audio = nullptr;
      if (!variant.audio_group.empty()) {
        auto group = audio_groups.find(variant.audio_group);
        if (group == audio_groups.end()) {
          Add(kMasterPlaylistKey, fmt::format("variant {} names AUDIO group '{}', which has no "
                                              "EXT-X-MEDIA with a URI",
                                              variant.uri, variant.audio_group));
        } else {
          audio = group->second;
        }
      }
      if (!video) continue;
      if (std::find(videos.begin(), videos.end(), video) == videos.end()) videos.push_back(video);
      variants.push_back({kMasterPlaylistKey, variant.uri, variant.bandwidth, video, audio});
    }

    for (const auto& [key, stream] : streams_) {
      if (!stream) continue;
      CheckTargetDuration(*stream, report_.violations);
      CheckSegmentStarts(*stream, report_.violations);
      CheckDurations(*stream, report_.violations);
    }
    CheckAlignment(videos, report_.violations);
    for (const VariantFacts& variant : variants) CheckBandwidth(variant, report_.violations);
    return std::move(report_);
  }

 private:
  void Add(std::string file, std::string problem) {
    report_.violations.push_back({std::move(file), std::move(problem)});
  }

  template <typename Playlist, typename ParseFunction>
  std::optional<Playlist> Parse(const std::string& key, std::string_view text,
                                ParseFunction parse) {
    ++report_.playlists;
    try {
      return parse(text);
    } catch (const Error& e) {
      if (e.code() != ExitCode::kDataError) throw;
      Add(key, e.what());
      return std::nullopt;
    }
  }

  // The output key `uri` in playlist `from` names, or nullopt (a violation).
  std::optional<std::string> Resolve(const std::string& from, std::string_view uri) {
    std::optional<std::string> key = ResolveUri(from, uri);
    if (!key) Add(from, fmt::format("URI '{}' does not name a file inside the output", uri));
    return key;
  }

  // The bytes of `key`, or nullopt (a violation) when playlist `from` names a missing file.
  std::optional<std::string> ReadListed(const std::string& key, const std::string& from) {
    if (!output_.Stat(key)) {
      Add(key, fmt::format("missing (listed in {})", from));
      return std::nullopt;
    }
    return output_.Read(key);
  }

  // The facts of the media playlist `uri` in `from` names, read once however often it is named.
  const StreamFacts* Stream(const std::string& from, std::string_view uri) {
    const std::optional<std::string> key = Resolve(from, uri);
    if (!key) return nullptr;
    if (auto found = streams_.find(*key); found != streams_.end()) return found->second.get();
    std::unique_ptr<StreamFacts>& stream = streams_[*key];  // stays null unless it parses
    const std::optional<std::string> text = ReadListed(*key, from);
    if (!text) return nullptr;
    std::optional<hls::ParsedMediaPlaylist> playlist = Parse<hls::ParsedMediaPlaylist>(
        *key, *text, [](std::string_view t) { return hls::ParseMediaPlaylist(t); });
    if (!playlist) return nullptr;
    stream = std::make_unique<StreamFacts>();
    stream->playlist_key = *key;
    stream->target_duration = playlist->target_duration;
    if (!playlist->has_endlist) Add(*key, "no EXT-X-ENDLIST: not a finished VOD playlist");
    if (playlist->segments.empty()) Add(*key, "lists no segments");

    // fMP4 segments are media only after their init section.
    std::optional<std::string> init;
    bool probe = true;
    if (playlist->init_uri) {
      const std::optional<std::string> init_key = Resolve(*key, *playlist->init_uri);
      if (init_key) init = ReadListed(*init_key, *key);
      probe = init.has_value();
    }
    for (const hls::ParsedSegment& listed : playlist->segments) {
      ++report_.segments;
      SegmentFacts segment;
      segment.extinf = listed.duration;
      segment.extinf_rounding = listed.duration_rounding;
      const std::optional<std::string> segment_key = Resolve(*key, listed.uri);
      segment.key = segment_key.value_or(listed.uri);
      std::optional<std::string> bytes;
      if (segment_key) bytes = ReadListed(*segment_key, *key);
      if (bytes) {
        segment.bytes = static_cast<int64_t>(bytes->size());
        if (probe) segment.probe = Probe(segment.key, init ? *init + *bytes : std::move(*bytes));
      }
      stream->segments.push_back(std::move(segment));
    }
    return stream.get();
  }

  std::optional<media::SegmentProbe> Probe(const std::string& key, std::string bytes) {
    try {
      return media::ProbeSegment(std::move(bytes), key);
    } catch (const Error& e) {
      if (e.code() != ExitCode::kDataError) throw;
      Add(key, e.what());
      return std::nullopt;
    }
  }

  Storage& output_;
  VerifyReport report_;
  // By playlist key; null when the playlist is missing or does not parse (reported once).
  std::map<std::string, std::unique_ptr<StreamFacts>> streams_;
};

}  // namespace

VerifyReport VerifyHls(Storage& output) {
  if (!output.Stat(kMasterPlaylistKey)) {
    VerifyReport report;
    report.violations.push_back({kMasterPlaylistKey, fmt::format("missing in {}", output.url())});
    return report;
  }
  return VerifyHls(output, output.Read(kMasterPlaylistKey));
}

VerifyReport VerifyHls(Storage& output, std::string_view master_text) {
  return Verifier(output).Run(master_text);
}

void RequireNoViolations(const VerifyReport& report, std::string_view what) {
  if (report.violations.empty()) return;
  const Violation& first = report.violations.front();
  Fail(ExitCode::kSoftware, "{}: the output fails verification with {} violation(s), first {}: {}",
       what, report.violations.size(), first.file, first.problem);
}

}  // namespace vodctl
