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
  media::AudioTranscoder transcoder(input.stream(0), origin, &sink, what);
  media::PacketPtr packet = media::MakePacket();
  while (input.Read(packet.get())) {
    ThrowIfStopRequested(what);
    transcoder.Write(packet.get());
    av_packet_unref(packet.get());
  }
  transcoder.Finish();
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
