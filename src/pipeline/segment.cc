#include "media/demuxer.h"
#include "media/encoder.h"
#include "media/segment_muxer.h"
#include "pipeline/audio_tracks.h"
#include "pipeline/iframe_playlist.h"
#include "pipeline/publish_tag.h"
#include "pipeline/purge_list.h"
#include "pipeline/result_document.h"
#include "pipeline/thumbnails.h"
#include "pipeline/steps.h"
#include "pipeline/verify.h"
#include "vodctl/error.h"
#include "util/interrupt.h"
#include "util/progress.h"
#include "vodctl/log.h"
#include "vodctl/mpd.h"
#include "vodctl/playlist.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <tuple>
#include <map>

namespace vodctl {
namespace {

constexpr char kAudioGroup[] = "audio";
constexpr char kAudioCodec[] = "mp4a.40.2";  // AAC-LC, which split always encodes

struct SegmentedStream {
  hls::MediaPlaylist playlist;
  std::map<int64_t, int64_t> bytes_by_segment;  // timeline segment number -> bytes
  std::map<int64_t, double> seconds_by_segment;
  std::string codec;  // RFC 6381, from the stream's own headers
  dash::SegmentTimes times;  // the same segments, in the track's timescale
  std::optional<hls::IFrameStream> iframes;  // video: its I-frame playlist, without the size
};

// Which timeline segment a packet starts, or nullopt when it cannot start one.
using SegmentOf = std::function<std::optional<int64_t>(const AVPacket&, AVRational time_base)>;

// Cuts one intermediate stream into segments under `folder` of the output and writes its
// media playlist. Segments are cut only where `segment_of` says a new one starts.
SegmentedStream WriteStream(JobContext& context, const MediaNames& names,
                            const std::string& tmp_key, int stream_index,
                            const std::string& folder, AVRational output_time_base,
                            const SegmentOf& segment_of, Progress& progress) {
  const bool fmp4 = context.job().options.format == SegmentFormat::kFmp4;
  const std::string what = fmt::format("job '{}' segment {}", context.id(), folder);
  media::Demuxer input(context.tmp().LocalPathForRead(tmp_key), media::Demuxer::Kind::kIntermediate);
  const AVStream* stream = input.stream(stream_index);
  const AVRational time_base = stream->time_base;
  media::SegmentMuxer muxer(fmp4 ? media::SegmentMuxer::Format::kFmp4 : media::SegmentMuxer::Format::kTs,
                            stream, output_time_base, what);
  SegmentedStream out;
  std::optional<IFramePlaylistBuilder> iframes;
  if (stream->codecpar->codec_id == AV_CODEC_ID_H264) {
    out.codec = hls::AvcCodecString(stream->codecpar->extradata, stream->codecpar->extradata_size);
    iframes.emplace(Rational{time_base.num, time_base.den});
  } else {
    out.codec = kAudioCodec;
  }

  std::optional<int64_t> current;
  int64_t segment_start = 0;
  int64_t stream_end = 0;
  auto finish_segment = [&](int64_t next_start) {
    std::string bytes = muxer.Cut();
    std::string uri = names.Segment(static_cast<int64_t>(out.playlist.segments.size()),
                                    context.job().options.format);
    if (iframes) iframes->AddSegment(uri, muxer.key_frames());
    double seconds = (next_start - segment_start) * av_q2d(time_base);
    out.playlist.segments.push_back({uri, seconds});
    out.bytes_by_segment[*current] = static_cast<int64_t>(bytes.size());
    out.seconds_by_segment[*current] = seconds;
    out.times.starts.push_back(muxer.TrackTime(segment_start));
    context.output().Write(folder + "/" + uri, bytes);
  };

  media::PacketPtr packet = media::MakePacket();
  while (input.Read(packet.get())) {
    ThrowIfStopRequested(what);
    if (packet->stream_index != stream_index) {  // another audio track of the same file
      av_packet_unref(packet.get());
      continue;
    }
    std::optional<int64_t> starts = segment_of(*packet, time_base);
    if (!current || (starts && *starts > *current)) {
      if (!current && !starts) {
        Fail(ExitCode::kSoftware, "{}: the stream does not start with a key frame", what);
      }
      if (current) finish_segment(packet->pts);
      current = starts;
      segment_start = packet->pts;
    }
    segment_start = std::min(segment_start, packet->pts);
    stream_end = std::max(stream_end, packet->pts + packet->duration);
    muxer.Write(packet.get());
    av_packet_unref(packet.get());
  }
  if (!current) Fail(ExitCode::kSoftware, "{}: no packets", what);
  finish_segment(stream_end);
  out.times.end = muxer.TrackTime(stream_end);
  out.times.timescale = muxer.track_time_base().den / muxer.track_time_base().num;
  if (fmp4) {
    out.playlist.init_uri = names.Init();
    context.output().Write(folder + "/" + names.Init(), muxer.init_section());
  }
  context.output().Write(folder + "/index.m3u8", hls::RenderMediaPlaylist(out.playlist));
  if (iframes) {
    hls::MediaPlaylist playlist = iframes->Finish(stream_end, out.playlist.init_uri);
    context.output().Write(folder + "/iframes.m3u8", hls::RenderMediaPlaylist(playlist));
    auto [peak, average] = IFramePlaylistBuilder::Bandwidth(playlist);
    out.iframes = hls::IFrameStream{folder + "/iframes.m3u8", peak, average, out.codec, 0, 0};
  }
  progress.Advance();
  return out;
}

// What the document says of a stream: its figures as written.
StreamOutput Summarise(const SegmentedStream& stream, const std::string& name,
                       const std::string& playlist) {
  StreamOutput out{name, playlist, stream.codec,
                   static_cast<int64_t>(stream.playlist.segments.size())};
  for (const auto& [segment, bytes] : stream.bytes_by_segment) out.bytes += bytes;
  for (const hls::MediaSegment& segment : stream.playlist.segments) {
    out.duration += segment.duration;
  }
  return out;
}

// Peak and average bits per second of a variant, with the audio that plays alongside it.
std::pair<int64_t, int64_t> Bandwidth(const SegmentedStream& video, const SegmentedStream* audio) {
  double peak = 0;
  double total_bytes = 0;
  double total_seconds = 0;
  for (const auto& [segment, bytes] : video.bytes_by_segment) {
    double seconds = video.seconds_by_segment.at(segment);
    double with_audio = static_cast<double>(bytes);
    if (audio && audio->bytes_by_segment.count(segment)) with_audio += audio->bytes_by_segment.at(segment);
    if (seconds > 0) peak = std::max(peak, with_audio * 8 / seconds);
    total_bytes += with_audio;
    total_seconds += seconds;
  }
  int64_t average = total_seconds > 0 ? static_cast<int64_t>(total_bytes * 8 / total_seconds) : 0;
  return {static_cast<int64_t>(std::ceil(peak)), average};
}

// A variant's bandwidth with the most demanding audio rendition of its group: a player may
// pick any of them, and BANDWIDTH must bound what it then fetches (RFC 8216 4.3.4.2).
std::pair<int64_t, int64_t> VariantBandwidth(const SegmentedStream& video,
                                             const std::vector<SegmentedStream>& audio) {
  if (audio.empty()) return Bandwidth(video, nullptr);
  std::pair<int64_t, int64_t> most{0, 0};
  for (const SegmentedStream& track : audio) {
    const auto [peak, average] = Bandwidth(video, &track);
    most = {std::max(most.first, peak), std::max(most.second, average)};
  }
  return most;
}

// What encoding the audio recorded of a rendition's loudness; null when it was not normalised.
nlohmann::json AudioLoudness(const nlohmann::json& result, const AudioTrack& track) {
  const nlohmann::json* records = result.contains("audio") && result["audio"].contains("loudness")
                                      ? &result["audio"]["loudness"]
                                      : nullptr;
  if (!records || !records->is_array()) return nullptr;
  for (const nlohmann::json& record : *records) {
    if (record.value("rendition", "") == track.folder) return record;
  }
  return nullptr;
}

}  // namespace

void RunSegment(JobContext& context) {
  const Timeline timeline = context.timeline();
  const std::vector<Rendition> renditions = context.renditions();
  const std::vector<AudioTrack> audio_tracks =
      AudioTracks(context.source(), context.job().options.surround);
  // An audio-only source has no pictures to preview.
  const bool thumbnails = context.job().options.thumbnails && !renditions.empty();
  Progress progress("segment", static_cast<int64_t>(renditions.size() + audio_tracks.size()) +
                                   (thumbnails ? 1 : 0));
  const MediaNames names(PublishTag(context.job()));
  nlohmann::json result = context.job().result.is_object() ? context.job().result : nlohmann::json::object();
  // Before anything is written, once per job: what a purge compares with.
  if (!result.contains("published_before")) {
    result["published_before"] = FixedNameObjects(context.output());
    context.state().SetJobResult(context.id(), result);
  }

  // Video: a segment starts at each key frame that begins a timeline segment (the forced IDRs).
  const AVRational slot_base{timeline.frame_rate().den, timeline.frame_rate().num};
  SegmentOf video_segment = [&](const AVPacket& packet, AVRational time_base) -> std::optional<int64_t> {
    if (!(packet.flags & AV_PKT_FLAG_KEY)) return std::nullopt;
    return timeline.SegmentOf(av_rescale_q(packet.pts, time_base, slot_base));
  };
  // Audio: every AAC frame is a sync point; cut at the first one at or after the video's cut.
  SegmentOf audio_segment = [&](const AVPacket& packet, AVRational time_base) -> std::optional<int64_t> {
    int64_t slot = av_rescale_q_rnd(packet.pts, time_base, slot_base, AV_ROUND_DOWN);
    return std::max<int64_t>(0, timeline.SegmentOf(slot));
  };

  // Every audio track is a rendition of the one group; the first is the default.
  std::vector<SegmentedStream> audio;
  // The MPD describes the same segments, so it is gathered alongside the master playlist.
  dash::Presentation mpd{timeline.frame_rate(), {}, {}, names.Init(), names.DashSegmentTemplate()};
  hls::MasterPlaylist master;
  ResultOutputs outputs;
  outputs.source = context.source();
  outputs.segment_format = context.job().options.format == SegmentFormat::kFmp4 ? "fmp4" : "ts";
  master.version = context.job().options.format == SegmentFormat::kFmp4 ? 7 : 3;
  const bool several_streams = std::any_of(audio_tracks.begin(), audio_tracks.end(),
                                           [](const AudioTrack& t) { return t.source_index > 0; });
  for (const AudioTrack& track : audio_tracks) {
    SegmentedStream written = WriteStream(context, names, tmp_keys::Audio(), track.index, track.folder,
                                          AVRational{1, media::kAudioSampleRate}, audio_segment,
                                          progress);
    mpd.audio.push_back({track.language, track.channels, media::kAudioSampleRate,
                         {track.folder, Bandwidth(written, nullptr).first, written.codec,
                          written.times}});
    // A single source stream keeps the name it has always had, its 5.1 rendition beside it.
    const std::string name = several_streams      ? track.name
                             : track.channels == 6 ? "Audio 5.1"
                                                   : "Audio";
    AudioRenditionOutput& described = outputs.audio.emplace_back();
    described.stream = Summarise(written, name, track.folder + "/index.m3u8");
    std::tie(described.stream.peak_bit_rate, described.stream.average_bit_rate) =
        Bandwidth(written, nullptr);
    described.language = track.language;
    described.channels = track.channels;
    described.loudness = AudioLoudness(context.job().result, track);
    described.sample_rate = media::kAudioSampleRate;
    audio.push_back(std::move(written));
    master.audio.push_back(
        {kAudioGroup, name, track.language, track.channels, track.folder + "/index.m3u8"});
  }
  result["renditions"] = nlohmann::json::array();
  for (const Rendition& rendition : renditions) {
    SegmentedStream video = WriteStream(context, names, tmp_keys::RenditionFull(rendition.name), 0,
                                        rendition.name, slot_base, video_segment, progress);
    auto [peak, average] = VariantBandwidth(video, audio);
    hls::VariantStream variant;
    variant.uri = rendition.name + "/index.m3u8";
    variant.bandwidth = peak;
    variant.average_bandwidth = average;
    variant.codecs = audio.empty() ? video.codec : video.codec + "," + audio.front().codec;
    variant.width = rendition.width;
    variant.height = rendition.height;
    variant.frame_rate = timeline.frame_rate().value();
    variant.audio_group = audio.empty() ? "" : kAudioGroup;
    // The colour stage makes every rendition SDR (BT.709), whatever the source was.
    variant.video_range = "SDR";
    master.variants.push_back(variant);
    mpd.video.push_back({{rendition.name, Bandwidth(video, nullptr).first, video.codec, video.times},
                         rendition.width, rendition.height});
    VideoRenditionOutput& described = outputs.renditions.emplace_back();
    described.stream = Summarise(video, rendition.name, variant.uri);
    std::tie(described.stream.peak_bit_rate, described.stream.average_bit_rate) =
        Bandwidth(video, nullptr);
    described.codecs = variant.codecs;
    described.width = rendition.width;
    described.height = rendition.height;
    described.frame_rate = variant.frame_rate;
    described.bandwidth = peak;
    described.average_bandwidth = average;
    if (video.iframes) described.iframe_playlist = video.iframes->uri;
    if (video.iframes) {
      video.iframes->width = rendition.width;
      video.iframes->height = rendition.height;
      master.iframe_streams.push_back(*video.iframes);
    }
    result["renditions"].push_back({{"name", rendition.name},
                                    {"width", rendition.width},
                                    {"height", rendition.height},
                                    {"bandwidth", peak},
                                    {"average_bandwidth", average},
                                    {"codecs", variant.codecs},
                                    {"segments", video.playlist.segments.size()}});
  }
  if (renditions.empty() && !audio.empty()) {
    // Audio only: the default track is the one variant; any others stay its alternatives.
    // With alternatives, a player fetches the variant's own segments and the rendition it
    // picked from the group, so BANDWIDTH bounds the two together.
    const auto [peak, average] = audio_tracks.size() > 1
                                     ? VariantBandwidth(audio.front(), audio)
                                     : Bandwidth(audio.front(), nullptr);
    hls::VariantStream variant;
    variant.uri = master.audio.front().uri;
    variant.bandwidth = peak;
    variant.average_bandwidth = average;
    variant.codecs = audio.front().codec;
    if (audio_tracks.size() > 1) {
      variant.audio_group = kAudioGroup;
    } else {
      master.audio.clear();
    }
    master.variants.push_back(variant);
  }
  if (thumbnails) {
    WriteThumbnails(context, names.SpriteStem(), *std::min_element(renditions.begin(), renditions.end(),
                                               [](const Rendition& a, const Rendition& b) {
                                                 return a.height < b.height;
                                               }));
    progress.Advance();
    outputs.thumbnails = fmt::format("{}/thumbnails.vtt", kThumbnailFolder);
  }
  if (context.job().options.dash) {
    context.output().Write("manifest.mpd", dash::RenderMpd(mpd));
    outputs.dash_manifest = "manifest.mpd";
  }
  // Last, so a player never finds a master playlist naming a file that is not there yet, and
  // only once the presentation passes `vodctl verify`'s checks.
  const std::string master_text = hls::RenderMasterPlaylist(master);
  RequireNoViolations(VerifyHls(context.output(), master_text),
                      fmt::format("job '{}'", context.id()));
  outputs.master_playlist = kMasterPlaylistKey;
  // Just before the master playlist: a CMS that sees master.m3u8 can read this too.
  const nlohmann::json document = ResultDocument(outputs, VODCTL_VERSION);
  context.output().Write(kResultDocumentKey, document.dump(2) + "\n");
  result["document"] = document;
  context.output().Write(kMasterPlaylistKey, master_text);
  progress.Finish();
  result["publish_tag"] = names.tag();
  result["purge"] = PurgeList(context.output(), result["published_before"]);
  if (!result["purge"].empty()) {
    log::Info("job '{}': re-published over an earlier output; purge the cached copies of {} "
              "object(s) below {}: {}",
              context.id(), result["purge"].size(), context.output().url(),
              fmt::join(result["purge"].get<std::vector<std::string>>(), " "));
  }
  context.state().SetJobResult(context.id(), result);
}

}  // namespace vodctl
