#include "vodctl/job_options.h"

#include "vodctl/error.h"

#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string_view>

namespace vodctl {
namespace {

constexpr int kMinHeight = 16;
constexpr int kMaxHeight = 8192;
constexpr size_t kMaxJobIdLength = 128;
constexpr std::string_view kPresets[] = {"ultrafast", "superfast", "veryfast", "faster",
                                         "fast",      "medium",    "slow",     "slower",
                                         "veryslow",  "placebo"};

[[noreturn]] void FailLadder(const std::string& spec, const std::string& why) {
  Fail(ExitCode::kDataError, "bad --ladder '{}': {}", spec, why);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// The whole of `digits` as a number; nothing when it is empty, has other characters or
// overflows.
std::optional<int64_t> ParseInteger(std::string_view digits) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

RungSpec ParseRung(const std::string& spec, std::string_view rung) {
  size_t at = rung.find('@');
  std::string_view height_text = rung.substr(0, at);
  std::optional<int64_t> height = height_text.ends_with('p')
                                      ? ParseInteger(height_text.substr(0, height_text.size() - 1))
                                      : std::nullopt;
  if (!height) FailLadder(spec, fmt::format("rung '{}' is not HEIGHTp or HEIGHTp@RATEk", rung));
  // x264 needs even dimensions (4:2:0 chroma), and tiny or huge pictures are typos.
  if (*height < kMinHeight || *height > kMaxHeight || *height % 2 != 0) {
    FailLadder(spec, fmt::format("height in '{}' must be an even number from {} to {}", rung,
                                 kMinHeight, kMaxHeight));
  }
  RungSpec result{static_cast<int>(*height), std::nullopt};
  if (at == std::string_view::npos) return result;

  std::string_view rate_text = rung.substr(at + 1);
  int64_t scale = rate_text.ends_with('k') ? 1 : rate_text.ends_with('M') ? 1000 : 0;
  std::optional<int64_t> rate =
      scale ? ParseInteger(rate_text.substr(0, rate_text.size() - 1)) : std::nullopt;
  if (!rate || *rate <= 0 || *rate > std::numeric_limits<int>::max() / scale) {
    FailLadder(spec, fmt::format("rate in '{}' must be a positive whole number of kbit/s or "
                                 "Mbit/s, like 3000k or 5M",
                                 rung));
  }
  result.maxrate_kbps = static_cast<int>(*rate * scale);
  return result;
}

const char* FormatName(SegmentFormat format) {
  return format == SegmentFormat::kTs ? "ts" : "fmp4";
}

SegmentFormat FormatFromName(const std::string& name) {
  if (name == "fmp4") return SegmentFormat::kFmp4;
  if (name == "ts") return SegmentFormat::kTs;
  Fail(ExitCode::kDataError, "unknown segment format '{}' (expected fmp4 or ts)", name);
}

}  // namespace

std::vector<RungSpec> ParseLadder(const std::string& spec) {
  if (Trim(spec).empty()) FailLadder(spec, "no rungs given");
  std::vector<RungSpec> ladder;
  std::set<int> heights;
  std::string_view rest = spec;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view rung = Trim(rest.substr(0, comma));
    if (rung.empty()) FailLadder(spec, "empty rung (stray ',')");
    ladder.push_back(ParseRung(spec, rung));
    if (!heights.insert(ladder.back().height).second) {
      FailLadder(spec, fmt::format("height {}p appears twice", ladder.back().height));
    }
    if (comma == std::string_view::npos) return ladder;
    rest.remove_prefix(comma + 1);
  }
}

std::string FormatLadder(const std::vector<RungSpec>& ladder) {
  std::vector<std::string> rungs;
  for (const RungSpec& rung : ladder) {
    rungs.push_back(rung.maxrate_kbps ? fmt::format("{}p@{}k", rung.height, *rung.maxrate_kbps)
                                      : fmt::format("{}p", rung.height));
  }
  return fmt::format("{}", fmt::join(rungs, ","));
}

double JobOptions::ChunkDuration(double source_seconds) const {
  if (chunk_duration > 0) return chunk_duration;
  const double longest = std::max(segment_duration, kMaxAutoChunkSeconds);
  if (!(source_seconds > 0)) return longest;  // a duration the container does not tell
  constexpr double kChunksWanted = 16;
  const double segments = std::ceil(source_seconds / kChunksWanted / segment_duration);
  return std::clamp(segments * segment_duration, segment_duration, longest);
}

void JobOptions::Validate() const {
  if (std::find(std::begin(kPresets), std::end(kPresets), preset) == std::end(kPresets)) {
    Fail(ExitCode::kUsage, "--preset must be one of {}, got '{}'", fmt::join(kPresets, ", "),
         preset);
  }
  if (crf < 0 || crf > 51) Fail(ExitCode::kUsage, "--crf must be 0..51, got {}", crf);
  // Written as negated ranges so that NaN is rejected too.
  if (!(segment_duration >= 1 && segment_duration <= 60)) {
    Fail(ExitCode::kUsage, "--segment-duration must be 1..60 seconds, got {}", segment_duration);
  }
  if (!(chunk_duration == 0 || (chunk_duration >= segment_duration && chunk_duration <= 3600))) {
    Fail(ExitCode::kUsage,
         "--chunk-duration must be 0 (automatic) or from --segment-duration ({}) to 3600 "
         "seconds, got {}",
         segment_duration, chunk_duration);
  }
  if (encoder_threads < 1 || encoder_threads > 64) {
    Fail(ExitCode::kUsage, "--encoder-threads must be 1..64, got {}", encoder_threads);
  }
  if (loudness_lufs && !(*loudness_lufs >= -40 && *loudness_lufs <= -5)) {
    Fail(ExitCode::kUsage, "--loudness must be -40..-5 LUFS or off, got {}", *loudness_lufs);
  }
  if (!(true_peak_dbtp >= -9 && true_peak_dbtp <= 0)) {
    Fail(ExitCode::kUsage, "--true-peak must be -9..0 dBTP, got {}", true_peak_dbtp);
  }
  // A header value: visible ASCII and spaces (RFC 9110 5.5), nothing that could end the line.
  for (const auto& [flag, value] : {std::pair{"--cache-control-media", &publish.cache_control_media},
                                    std::pair{"--cache-control-playlists", &publish.cache_control_playlists}}) {
    if (std::any_of(value->begin(), value->end(), [](char c) { return c < 0x20 || c > 0x7e; })) {
      Fail(ExitCode::kUsage, "{} takes printable ASCII only (a header value), got {:?}", flag,
           *value);
    }
  }
  // DASH has no MPEG-TS profile that players take; the MPD reuses the CMAF segments.
  if (dash && format != SegmentFormat::kFmp4) Fail(ExitCode::kUsage, "--dash needs --format fmp4");
  source_policy.Validate();
}

// The ladder is kept in its --ladder spelling so the stored JSON reads like the command line.
void to_json(nlohmann::json& j, const JobOptions& options) {
  j = nlohmann::json{{"ladder", FormatLadder(options.ladder)},
                     {"preset", options.preset},
                     {"crf", options.crf},
                     {"segment_duration", options.segment_duration},
                     {"chunk_duration", options.chunk_duration},
                     {"format", FormatName(options.format)},
                     {"encoder_threads", options.encoder_threads},
                     {"dash", options.dash},
                     {"tmp", options.tmp},
                     {"keep_tmp", options.keep_tmp},
                     {"thumbnails", options.thumbnails},
                     {"source_policy", options.source_policy},
                     {"loudness", options.loudness_lufs ? nlohmann::json(*options.loudness_lufs)
                                                        : nlohmann::json("off")},
                     {"true_peak", options.true_peak_dbtp},
                     {"surround", options.surround},
                     {"publish", {{"cache_control_media", options.publish.cache_control_media},
                                  {"cache_control_playlists", options.publish.cache_control_playlists},
                                  {"compress_playlists", options.publish.compress_playlists}}}};
}

void from_json(const nlohmann::json& j, JobOptions& options) {
  const auto ladder = j.at("ladder").get<std::string>();
  options.ladder = ladder.empty() ? std::vector<RungSpec>() : ParseLadder(ladder);
  j.at("preset").get_to(options.preset);
  j.at("crf").get_to(options.crf);
  j.at("segment_duration").get_to(options.segment_duration);
  j.at("chunk_duration").get_to(options.chunk_duration);
  options.format = FormatFromName(j.at("format").get<std::string>());
  j.at("encoder_threads").get_to(options.encoder_threads);
  // Jobs stored before --dash existed have no such field, and made no MPD.
  options.dash = j.value("dash", false);
  j.at("tmp").get_to(options.tmp);
  j.at("keep_tmp").get_to(options.keep_tmp);
  // Jobs stored before the option existed read as the default, so the command line that
  // created one still matches it (running it again stays a no-op).
  options.thumbnails = j.value("thumbnails", true);
  options.source_policy = j.value("source_policy", SourcePolicy());
  const nlohmann::json loudness = j.value("loudness", nlohmann::json(JobOptions::kDefaultLoudnessLufs));
  options.loudness_lufs = loudness.is_number() ? std::optional(loudness.get<double>()) : std::nullopt;
  options.true_peak_dbtp = j.value("true_peak", -1.0);
  options.surround = j.value("surround", true);
  const nlohmann::json publish = j.value("publish", nlohmann::json::object());
  const PublishPolicy defaults;
  options.publish.cache_control_media = publish.value("cache_control_media", defaults.cache_control_media);
  options.publish.cache_control_playlists =
      publish.value("cache_control_playlists", defaults.cache_control_playlists);
  options.publish.compress_playlists = publish.value("compress_playlists", false);
}

std::optional<double> ParseLoudnessTarget(const std::string& text) {
  if (text == "off") return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    Fail(ExitCode::kUsage, "--loudness takes a target in LUFS (like -16) or off, got '{}'", text);
  }
  return value;
}

void ValidateJobId(const std::string& id) {
  if (id.empty() || id.size() > kMaxJobIdLength) {
    Fail(ExitCode::kUsage, "invalid job ID '{}': it must be 1 to {} characters long", id,
         kMaxJobIdLength);
  }
  // A leading '.' would make hidden files and allow "." and "..".
  if (id.front() == '.') Fail(ExitCode::kUsage, "invalid job ID '{}': it starts with '.'", id);
  for (char c : id) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '.' || c == '_' || c == '-';
    if (!allowed) {
      // Bytes of UTF-8 or control characters would garble the message; show those as hex.
      const bool printable = c >= ' ' && c < 0x7f;
      Fail(ExitCode::kUsage,
           "invalid job ID '{}': {} is not allowed (use letters, digits, '.', '_', '-')", id,
           printable ? fmt::format("'{}'", c)
                     : fmt::format("byte 0x{:02x}", static_cast<unsigned char>(c)));
    }
  }
}

}  // namespace vodctl
