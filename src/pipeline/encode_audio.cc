#include "media/audio_renderer.h"
#include "media/audio_transcoder.h"
#include "media/decoder.h"
#include "media/demuxer.h"
#include "media/loudness_meter.h"
#include "media/muxer.h"
#include "media/surround_matrix.h"
#include "pipeline/audio_tracks.h"
#include "pipeline/loudness.h"
#include "pipeline/steps.h"
#include "util/interrupt.h"
#include "vodctl/log.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <memory>

namespace vodctl {

namespace {

// The presentation is the video's: from its first frame to the end of its last, and every
// audio track covers exactly that (media::AudioRenderer drops what lies outside and fills
// what the source's audio leaves uncovered with silence), so all renditions end together and
// the audio has no segment of its own past the video's last. Without video, the audio's own
// span from the earliest track's start.
media::AudioRenderer::Span PresentationSpan(const SourceInfo& source) {
  const VideoInfo& video = source.video;
  if (video.stream_index >= 0) {
    const double time_base = video.time_base.value();
    return {.origin = static_cast<double>(video.start_pts) * time_base,
            .length = static_cast<double>(video.end_pts - video.start_pts) * time_base};
  }
  double origin = source.audio->start_pts * source.audio->time_base.value();
  for (const AudioInfo& more : source.more_audio) {
    origin = std::min(origin, more.start_pts * more.time_base.value());
  }
  return {.origin = origin, .length = std::nullopt};
}

// Stereo, or 5.1 as AAC carries it (media::kSurroundLayoutMask).
AVChannelLayout LayoutOf(const AudioTrack& rendition) {
  AVChannelLayout layout{};
  av_channel_layout_from_mask(&layout, rendition.channels == 6 ? media::kSurroundLayoutMask
                                                               : AV_CH_LAYOUT_STEREO);
  return layout;
}

std::string RenditionWhat(const std::string& what, const AudioTrack& rendition) {
  return fmt::format("{} {}", what, rendition.folder);
}

// Reads the source's audio copy once, decoding each stream once, and gives every frame to
// each rendition made of its stream; `add(i, frame)` and `finish(i)` act for rendition i.
template <typename Add, typename Finish>
void ForEachFrame(const std::vector<AudioTrack>& renditions, const std::string& what,
                  media::Demuxer& input, Add add, Finish finish) {
  std::map<int, media::Decoder> decoders;  // by source stream
  for (const AudioTrack& rendition : renditions) {
    decoders.try_emplace(rendition.source_index, input.stream(rendition.source_index),
                         fmt::format("{} stream {}", what, rendition.source_index));
  }
  media::FramePtr frame = media::MakeFrame();
  auto deliver = [&](int stream, media::Decoder& decoder) {
    while (decoder.Receive(frame.get())) {
      for (size_t i = 0; i < renditions.size(); ++i) {
        if (renditions[i].source_index == stream) add(i, frame.get());
      }
      av_frame_unref(frame.get());
    }
  };
  media::PacketPtr packet = media::MakePacket();
  while (input.Read(packet.get())) {
    ThrowIfStopRequested(what);
    if (auto decoder = decoders.find(packet->stream_index); decoder != decoders.end()) {
      decoder->second.Send(packet.get());
      deliver(decoder->first, decoder->second);
    }
    av_packet_unref(packet.get());
  }
  for (auto& [stream, decoder] : decoders) {
    decoder.Send(nullptr);
    deliver(stream, decoder);
  }
  for (size_t i = 0; i < renditions.size(); ++i) finish(i);
}

// The first pass: each rendition's loudness as it would be encoded without a gain.
std::vector<media::Loudness> MeasureLoudness(JobContext& context,
                                             const std::vector<AudioTrack>& renditions,
                                             const media::AudioRenderer::Span& span,
                                             const std::string& what) {
  media::Demuxer input(context.tmp().LocalPathForRead(tmp_keys::AudioSource()),
                       media::Demuxer::Kind::kIntermediate);
  std::vector<std::unique_ptr<media::AudioRenderer>> renderers;
  std::vector<std::unique_ptr<media::LoudnessMeter>> meters;
  for (const AudioTrack& rendition : renditions) {
    const AVChannelLayout layout = LayoutOf(rendition);
    renderers.push_back(std::make_unique<media::AudioRenderer>(
        input.stream(rendition.source_index)->time_base, span, layout,
        RenditionWhat(what, rendition)));
    meters.push_back(std::make_unique<media::LoudnessMeter>(media::kAudioSampleRate, layout,
                                                            RenditionWhat(what, rendition)));
  }
  constexpr int kMeasuredFrame = 4800;  // 100 ms: the meter's own step
  media::FramePtr frame = media::MakeFrame();
  auto measure = [&](size_t i) {
    while (renderers[i]->Take(kMeasuredFrame, frame.get())) {
      meters[i]->Add(frame.get());
      av_frame_unref(frame.get());
    }
  };
  ForEachFrame(
      renditions, what, input,
      [&](size_t i, const AVFrame* decoded) {
        renderers[i]->Add(decoded);
        measure(i);
      },
      [&](size_t i) {
        renderers[i]->Finish();
        measure(i);
      });
  std::vector<media::Loudness> loudness;
  for (auto& meter : meters) loudness.push_back(meter->Finish());
  return loudness;
}

}  // namespace

bool AudioPending(const JobContext& context) {
  return context.source().audio.has_value() && !context.job().result.contains("audio");
}

void EncodeAudio(JobContext& context) {
  const std::string what = fmt::format("job '{}' audio", context.id());
  const JobOptions& options = context.job().options;
  const std::vector<AudioTrack> renditions = AudioTracks(context.source(), options.surround);
  const media::AudioRenderer::Span span = PresentationSpan(context.source());

  // Two passes when normalising: the gain depends on the whole programme's loudness.
  std::vector<LoudnessPlan> plans;
  std::vector<media::Loudness> measured;
  if (options.loudness_lufs) {
    measured = MeasureLoudness(context, renditions, span, what);
    for (const media::Loudness& loudness : measured) {
      plans.push_back(PlanLoudness(loudness, *options.loudness_lufs, options.true_peak_dbtp));
    }
  }

  media::Demuxer input(context.tmp().LocalPathForRead(tmp_keys::AudioSource()),
                       media::Demuxer::Kind::kIntermediate);
  media::FileSink sink(context.tmp().ScratchPath(tmp_keys::Audio()));
  // Every rendition a stream of audio.nut, in AudioTracks' order.
  std::unique_ptr<media::Muxer> muxer = media::Muxer::Intermediate(&sink, what);
  std::vector<std::unique_ptr<media::AudioTranscoder>> transcoders;
  for (size_t i = 0; i < renditions.size(); ++i) {
    const AudioTrack& rendition = renditions[i];
    media::AudioTranscoder::Settings settings;
    settings.layout = LayoutOf(rendition);
    settings.bit_rate = rendition.bit_rate;
    if (!plans.empty()) settings.gain_chain = plans[i].FilterChain();
    transcoders.push_back(std::make_unique<media::AudioTranscoder>(
        input.stream(rendition.source_index)->time_base, span, settings, muxer.get(),
        RenditionWhat(what, rendition)));
  }
  muxer->WriteHeader();
  ForEachFrame(
      renditions, what, input,
      [&](size_t i, const AVFrame* decoded) { transcoders[i]->Add(decoded); },
      [&](size_t i) { transcoders[i]->Finish(); });
  muxer->Finish();
  sink.Close();
  nlohmann::json record = {{"size", sink.size()}, {"sha256", sink.HexDigest()}};
  if (options.loudness_lufs) {
    record["loudness"] = nlohmann::json::array();
    for (size_t i = 0; i < renditions.size(); ++i) {
      record["loudness"].push_back(LoudnessRecord(renditions[i].folder, measured[i], plans[i],
                                                  *transcoders[i]->output_loudness()));
    }
  }
  context.tmp().PutFile(tmp_keys::Audio(), sink.path());
  // Re-read: chunk workers record their results elsewhere, but the job's own result may have
  // moved on since this context was made.
  nlohmann::json result = context.state().GetJob(context.id()).result;
  result["audio"] = record;
  context.state().SetJobResult(context.id(), result);
  log::Info("{}: encoded", what);
}

}  // namespace vodctl
