#include "media/demuxer.h"
#include "media/muxer.h"
#include "pipeline/steps.h"
#include "util/interrupt.h"
#include "vodctl/error.h"
#include "vodctl/log.h"

#include <nlohmann/json.hpp>

#include <algorithm>


namespace vodctl {
namespace {

std::string Extradata(const AVCodecParameters* parameters) {
  return std::string(reinterpret_cast<const char*>(parameters->extradata),
                     parameters->extradata_size);
}

// Every chunk was encoded with the same settings and carries timestamps on the absolute
// output timeline, so joining is a plain copy. What is checked is that this holds: the same
// stream headers in every chunk, and chunk N showing exactly the slots its plan gives it.
nlohmann::json ConcatRendition(JobContext& context, const Rendition& rendition,
                               const std::vector<ChunkRecord>& chunks) {
  const std::string what = fmt::format("job '{}' concat {}", context.id(), rendition.name);
  const std::string key = tmp_keys::RenditionFull(rendition.name);
  const Rational rate = context.timeline().frame_rate();
  const AVRational slot_base{rate.den, rate.num};
  media::FileSink sink(context.tmp().ScratchPath(key));
  std::unique_ptr<media::Muxer> muxer;
  std::string stream_headers;  // chunk 0's; every chunk must have the same
  media::PacketPtr packet = media::MakePacket();
  int64_t frames = 0;
  for (const ChunkRecord& chunk : chunks) {
    const int index = chunk.plan.index;
    media::Demuxer input(
        context.tmp().LocalPathForRead(tmp_keys::RenditionChunk(rendition.name, index)),
        media::Demuxer::Kind::kIntermediate);
    const AVStream* stream = input.stream(0);
    if (!muxer) {
      muxer = media::Muxer::Intermediate(&sink, what);
      muxer->AddStream(stream->codecpar, stream->time_base);
      muxer->WriteHeader();
      stream_headers = Extradata(stream->codecpar);
    } else if (Extradata(stream->codecpar) != stream_headers) {
      Fail(ExitCode::kSoftware, "{}: chunk {} has different stream headers", what, index);
    }
    std::vector<int64_t> slots;
    while (input.Read(packet.get())) {
      ThrowIfStopRequested(what);
      slots.push_back(av_rescale_q(packet->pts, stream->time_base, slot_base));
      muxer->Write(packet.get(), 0, stream->time_base);
      av_packet_unref(packet.get());
    }
    std::sort(slots.begin(), slots.end());
    for (size_t i = 0; i < slots.size(); ++i) {
      if (slots[i] != chunk.plan.first_slot + static_cast<int64_t>(i)) {
        Fail(ExitCode::kSoftware, "{}: chunk {} shows frame {} where frame {} belongs", what,
             index, slots[i], chunk.plan.first_slot + static_cast<int64_t>(i));
      }
    }
    if (static_cast<int64_t>(slots.size()) != chunk.plan.end_slot - chunk.plan.first_slot) {
      Fail(ExitCode::kSoftware, "{}: chunk {} has {} frames, its plan {}", what, index,
           slots.size(), chunk.plan.end_slot - chunk.plan.first_slot);
    }
    frames += static_cast<int64_t>(slots.size());
  }
  muxer->Finish();
  sink.Close();
  nlohmann::json record = {{"size", sink.size()}, {"sha256", sink.HexDigest()}, {"frames", frames}};
  context.tmp().PutFile(key, sink.path());
  return record;
}

}  // namespace

void RunConcat(JobContext& context) {
  // Not encoded beside the chunks (they ran elsewhere, or this process stopped first).
  if (AudioPending(context)) {
    EncodeAudio(context);
    context.Reload();
  }
  const std::vector<ChunkRecord> chunks = context.state().ListChunks(context.id());
  nlohmann::json result = context.job().result.is_object() ? context.job().result : nlohmann::json::object();
  for (const Rendition& rendition : context.renditions()) {
    result["concat"][rendition.name] = ConcatRendition(context, rendition, chunks);
    log::Debug("job '{}': joined {} chunks of {}", context.id(), chunks.size(), rendition.name);
  }
  context.state().SetJobResult(context.id(), result);
}

}  // namespace vodctl
