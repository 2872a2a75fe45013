#include "media/audio_transcoder.h"
#include "media/demuxer.h"
#include "media/muxer.h"
#include "pipeline/steps.h"
#include "util/interrupt.h"
#include "vodctl/log.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace vodctl {

namespace {

// The presentation is the video's: from its first frame to the end of its last, and every
// audio track covers exactly that (media::AudioTranscoder drops what lies outside and fills
// what the source's audio leaves uncovered with silence), so all renditions end together and
// the audio has no segment of its own past the video's last. Without video, the audio's own
// span from the earliest track's start.
media::AudioTranscoder::Span PresentationSpan(const SourceInfo& source) {
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

}  // namespace

bool AudioPending(const JobContext& context) {
  return context.source().audio.has_value() && !context.job().result.contains("audio");
}

void EncodeAudio(JobContext& context) {
  const std::string what = fmt::format("job '{}' audio", context.id());
  media::Demuxer input(context.tmp().LocalPathForRead(tmp_keys::AudioSource()),
                       media::Demuxer::Kind::kIntermediate);
  const media::AudioTranscoder::Span span = PresentationSpan(context.source());
  media::FileSink sink(context.tmp().ScratchPath(tmp_keys::Audio()));
  // Every audio track, each stream i of audio.nut encoded from stream i of the copy.
  std::unique_ptr<media::Muxer> muxer = media::Muxer::Intermediate(&sink, what);
  std::vector<std::unique_ptr<media::AudioTranscoder>> transcoders;
  for (unsigned i = 0; i < input.context()->nb_streams; ++i) {
    transcoders.push_back(std::make_unique<media::AudioTranscoder>(
        input.stream(i), span, muxer.get(),
        input.context()->nb_streams == 1 ? what : fmt::format("{} track {}", what, i + 1)));
  }
  muxer->WriteHeader();
  media::PacketPtr packet = media::MakePacket();
  while (input.Read(packet.get())) {
    ThrowIfStopRequested(what);
    transcoders.at(packet->stream_index)->Write(packet.get());
    av_packet_unref(packet.get());
  }
  for (auto& transcoder : transcoders) transcoder->Finish();
  muxer->Finish();
  sink.Close();
  const nlohmann::json record = {{"size", sink.size()}, {"sha256", sink.HexDigest()}};
  context.tmp().PutFile(tmp_keys::Audio(), sink.path());
  // Re-read: chunk workers record their results elsewhere, but the job's own result may have
  // moved on since this context was made.
  nlohmann::json result = context.state().GetJob(context.id()).result;
  result["audio"] = record;
  context.state().SetJobResult(context.id(), result);
  log::Info("{}: encoded", what);
}

}  // namespace vodctl
