#include "media/audio_transcoder.h"
#include "media/demuxer.h"
#include "media/muxer.h"
#include "pipeline/steps.h"
#include "util/interrupt.h"
#include "vodctl/log.h"

#include <nlohmann/json.hpp>

namespace vodctl {

bool AudioPending(const JobContext& context) {
  return context.source().audio.has_value() && !context.job().result.contains("audio");
}

void EncodeAudio(JobContext& context) {
  const std::string what = fmt::format("job '{}' audio", context.id());
  media::Demuxer input(context.tmp().LocalPathForRead(tmp_keys::AudioSource()),
                       media::Demuxer::Kind::kIntermediate);
  // Output time 0 is the first video frame's, as for the video renditions.
  const VideoInfo& video = context.source().video;
  const double origin = static_cast<double>(video.start_pts) * video.time_base.value();
  media::FileSink sink(context.tmp().ScratchPath(tmp_keys::Audio()));
  // Every audio track, each stream i of audio.nut encoded from stream i of the copy.
  std::unique_ptr<media::Muxer> muxer = media::Muxer::Intermediate(&sink, what);
  std::vector<std::unique_ptr<media::AudioTranscoder>> transcoders;
  for (unsigned i = 0; i < input.context()->nb_streams; ++i) {
    transcoders.push_back(std::make_unique<media::AudioTranscoder>(
        input.stream(i), origin, muxer.get(),
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
