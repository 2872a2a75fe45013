#include "vodctl/source_policy.h"

#include "vodctl/error.h"

#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <ranges>
#include <string_view>

namespace vodctl {
namespace {

// Containers cameras, phones, editors and encoders write. Everything else (game formats,
// raw bitstreams, subtitle files, the hundreds of formats libavformat probes) is attack
// surface no upload site needs.
constexpr std::string_view kDefaultFormats[] = {
    "mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm", "mpegts", "mpeg",
    "avi", "flv", "mxf", "ogg", "asf", "wav"};

// Demuxers that open further files or URLs on the source's behalf: playlists, concat lists,
// manifests, session descriptions, image sequences.
constexpr std::string_view kNeverAllowed[] = {"hls", "applehttp", "concat", "ffconcat", "dash",
                                              "imf", "sdp", "rtsp", "rtp", "image2",
                                              "image2pipe", "lavfi", "tee"};

// Codecs decoded for the ladder and the audio renditions: what real uploads carry. A rarely
// used decoder is a rarely fuzzed one.
constexpr std::string_view kVideoCodecs[] = {
    "h264", "hevc", "av1", "vp8", "vp9", "mpeg4", "mpeg2video", "mpeg1video", "h263",
    "mjpeg", "prores", "dnxhd", "dvvideo", "vc1", "wmv3", "wmv2", "wmv1", "msmpeg4v3", "theora",
    "ffv1"};
constexpr std::string_view kAudioCodecs[] = {
    "aac", "mp3", "mp2", "ac3", "eac3", "opus", "vorbis", "flac", "alac", "dts", "wmav2",
    "pcm_s16le", "pcm_s16be", "pcm_s24le", "pcm_s24be", "pcm_s32le", "pcm_f32le", "pcm_u8",
    "pcm_alaw", "pcm_mulaw"};

template <typename List>
bool Contains(const List& list, std::string_view name) {
  return std::find(std::begin(list), std::end(list), name) != std::end(list);
}

// libavformat names some demuxers by several comma-separated names ("matroska,webm").
auto NamesOf(const std::string& format) {
  return format | std::views::split(',') |
         std::views::transform([](auto part) { return std::string_view(part.begin(), part.end()); });
}

[[noreturn]] void FailLimit(const SourceFacts& source, std::string_view what,
                            const std::string& value, std::string_view flag,
                            const std::string& limit) {
  Fail(ExitCode::kDataError, "source '{}': {} {} is over the limit {} {}", source.name, what,
       value, flag, limit);
}

void CheckCodec(const SourceFacts& source, std::string_view kind, const std::string& codec,
                bool allowed) {
  if (!allowed) {
    Fail(ExitCode::kDataError, "source '{}': {} codec '{}' is not one vodctl decodes", source.name,
         kind, codec);
  }
}

}  // namespace

std::vector<std::string> SourcePolicy::DefaultFormats() {
  return {std::begin(kDefaultFormats), std::end(kDefaultFormats)};
}

bool SourcePolicy::NeverAllowed(const std::string& format) {
  return std::ranges::any_of(NamesOf(format), [](std::string_view name) {
    return Contains(kNeverAllowed, name) || name.ends_with("_pipe");
  });
}

std::vector<std::string> SourcePolicy::ParseFormats(const std::string& list) {
  if (list.empty()) Fail(ExitCode::kUsage, "--allow-formats '': empty format name");
  std::vector<std::string> formats;
  for (std::string_view name : NamesOf(list)) {
    if (name.empty()) Fail(ExitCode::kUsage, "--allow-formats '{}': empty format name", list);
    std::string format(name);
    if (NeverAllowed(format)) {
      Fail(ExitCode::kUsage,
           "--allow-formats '{}': '{}' is never allowed (it makes the source read other files)",
           list, format);
    }
    formats.push_back(std::move(format));
  }
  return formats;
}

bool SourcePolicy::AllowsFormat(const std::string& probed) const {
  if (NeverAllowed(probed)) return false;
  return std::ranges::any_of(NamesOf(probed),
                             [this](std::string_view name) { return Contains(formats, name); });
}

void SourcePolicy::CheckFormat(const std::string& name, const std::string& probed) const {
  if (!AllowsFormat(probed)) {
    Fail(ExitCode::kDataError, "source '{}': format '{}' is not allowed (--allow-formats {})",
         name, probed, fmt::join(formats, ","));
  }
}

void SourcePolicy::Check(const SourceFacts& source) const {
  CheckFormat(source.name, source.format);
  if (source.size > max_size) {
    FailLimit(source, "size", fmt::format("{} bytes", source.size), "--max-size",
              std::to_string(max_size));
  }
  if (source.duration > max_duration) {
    FailLimit(source, "duration", fmt::format("{} s", source.duration), "--max-duration",
              fmt::format("{}", max_duration));
  }
  if (source.streams > max_streams) {
    FailLimit(source, "stream count", std::to_string(source.streams), "--max-streams",
              std::to_string(max_streams));
  }
  for (const std::string& codec : source.audio_codecs) {
    CheckCodec(source, "audio", codec, Contains(kAudioCodecs, codec));
  }
  if (source.video_codec.empty()) return;
  const int64_t pixels = int64_t{source.width} * source.height;
  if (pixels > max_pixels) {
    FailLimit(source, "picture", fmt::format("{}x{} ({} pixels)", source.width, source.height, pixels),
              "--max-pixels", std::to_string(max_pixels));
  }
  if (source.frame_rate > max_frame_rate) {
    FailLimit(source, "frame rate", fmt::format("{:.3f}", source.frame_rate), "--max-frame-rate",
              fmt::format("{}", max_frame_rate));
  }
  const int64_t decoded = source.picture_bytes * kPicturesHeld;
  if (decoded > max_decoded_memory) {
    FailLimit(source, "decoded memory", fmt::format("{} bytes ({} pictures of {})", decoded,
                                                    kPicturesHeld, source.picture_bytes),
              "--max-decoded-memory", std::to_string(max_decoded_memory));
  }
  // After the limits: a picture too large is the clearer message for a patched header.
  CheckCodec(source, "video", source.video_codec, Contains(kVideoCodecs, source.video_codec));
}

void SourcePolicy::CheckElapsed(const std::string& name, double seconds) const {
  if (seconds > max_duration) {
    Fail(ExitCode::kDataError,
         "source '{}': a timestamp {:.0f} s after the first is over the limit --max-duration {}",
         name, seconds, max_duration);
  }
}

void SourcePolicy::Validate() const {
  if (formats.empty()) Fail(ExitCode::kUsage, "--allow-formats must name at least one format");
  if (max_size <= 0) Fail(ExitCode::kUsage, "--max-size must be positive, got {}", max_size);
  // Negated so that NaN is rejected too.
  if (!(max_duration > 0)) {
    Fail(ExitCode::kUsage, "--max-duration must be positive seconds, got {}", max_duration);
  }
  if (max_pixels <= 0) Fail(ExitCode::kUsage, "--max-pixels must be positive, got {}", max_pixels);
  if (!(max_frame_rate > 0)) {
    Fail(ExitCode::kUsage, "--max-frame-rate must be positive, got {}", max_frame_rate);
  }
  if (max_streams <= 0) Fail(ExitCode::kUsage, "--max-streams must be positive, got {}", max_streams);
  if (max_decoded_memory <= 0) {
    Fail(ExitCode::kUsage, "--max-decoded-memory must be positive, got {}", max_decoded_memory);
  }
}

void to_json(nlohmann::json& j, const SourcePolicy& policy) {
  j = nlohmann::json{{"formats", policy.formats},
                     {"max_size", policy.max_size},
                     {"max_duration", policy.max_duration},
                     {"max_pixels", policy.max_pixels},
                     {"max_frame_rate", policy.max_frame_rate},
                     {"max_streams", policy.max_streams},
                     {"max_decoded_memory", policy.max_decoded_memory}};
}

void from_json(const nlohmann::json& j, SourcePolicy& policy) {
  const SourcePolicy defaults;
  policy.formats = j.value("formats", defaults.formats);
  policy.max_size = j.value("max_size", defaults.max_size);
  policy.max_duration = j.value("max_duration", defaults.max_duration);
  policy.max_pixels = j.value("max_pixels", defaults.max_pixels);
  policy.max_frame_rate = j.value("max_frame_rate", defaults.max_frame_rate);
  policy.max_streams = j.value("max_streams", defaults.max_streams);
  policy.max_decoded_memory = j.value("max_decoded_memory", defaults.max_decoded_memory);
}

}  // namespace vodctl
