#include "media/av_error.h"
#include "media/decoder.h"
#include "media/demuxer.h"
#include "media/encoder.h"
#include "media/muxer.h"
#include "media/scaler.h"
#include "pipeline/constant_rate_queue.h"
#include "pipeline/steps.h"
#include "vodctl/error.h"
#include "util/interrupt.h"
#include "util/progress.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace vodctl {
namespace {

// One rendition of one chunk while it is encoded: scale, encode, write to a scratch file.
class RenditionWriter {
 public:
  RenditionWriter(JobContext& context, const Rendition& rendition, const ChunkRecord& chunk,
                  const Timeline& timeline)
      : tmp_(context.tmp()),
        key_(tmp_keys::RenditionChunk(rendition.name, chunk.plan.index)),
        what_(fmt::format("job '{}' chunk {} {}", context.id(), chunk.plan.index, rendition.name)),
        timeline_(timeline),
        scaler_(rendition.width, rendition.height, what_),
        encoder_(media::Encoder::H264(Settings(context.job().options, rendition, timeline), what_)),
        sink_(tmp_.ScratchPath(key_)),
        muxer_(media::Muxer::Intermediate(&sink_, what_)),
        packet_(media::MakePacket()) {
    muxer_->AddStream(encoder_.context());
    muxer_->WriteHeader();
  }

  void Encode(const AVFrame* frame, int64_t slot) {
    media::FramePtr scaled = scaler_.Scale(frame);
    scaled->pts = slot;
    // Every rendition has an IDR at each segment start, so segments align across renditions.
    scaled->pict_type = timeline_.StartsSegment(slot) ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
    encoder_.Send(scaled.get());
    Drain();
  }

  // Flushes the encoder, checks the frame count and stores the file.
  nlohmann::json Publish(int64_t expected_frames) {
    encoder_.Send(nullptr);
    Drain();
    muxer_->Finish();
    sink_.Close();
    if (packets_ != expected_frames) {
      Fail(ExitCode::kSoftware, "{}: encoded {} frames, expected {}", what_, packets_,
           expected_frames);
    }
    nlohmann::json record = {{"size", sink_.size()}, {"sha256", sink_.HexDigest()},
                             {"frames", packets_}};
    tmp_.PutFile(key_, sink_.path());
    return record;
  }

 private:
  static media::H264Settings Settings(const JobOptions& options, const Rendition& rendition,
                                      const Timeline& timeline) {
    media::H264Settings s;
    s.width = rendition.width;
    s.height = rendition.height;
    s.frame_rate = AVRational{timeline.frame_rate().num, timeline.frame_rate().den};
    s.preset = options.preset;
    s.crf = options.crf;
    s.maxrate_kbps = rendition.maxrate_kbps;
    s.bufsize_kbps = rendition.bufsize_kbps;
    s.gop_frames = static_cast<int>(std::ceil(options.segment_duration * timeline.frame_rate().value()));
    s.threads = options.encoder_threads;
    return s;
  }

  void Drain() {
    while (encoder_.Receive(packet_.get())) {
      muxer_->Write(packet_.get(), 0, encoder_.context()->time_base);
      av_packet_unref(packet_.get());
      ++packets_;
    }
  }

  Storage& tmp_;
  std::string key_;
  std::string what_;
  const Timeline& timeline_;
  media::Scaler scaler_;
  media::Encoder encoder_;
  media::FileSink sink_;
  std::unique_ptr<media::Muxer> muxer_;
  media::PacketPtr packet_;
  int64_t packets_ = 0;
};

}  // namespace

nlohmann::json TranscodeChunk(JobContext& context, const ChunkRecord& chunk) {
  const ChunkPlan& plan = chunk.plan;
  const VideoInfo& video = context.source().video;
  const std::string what = fmt::format("job '{}' chunk {}", context.id(), plan.index);
  Timeline timeline = context.timeline();

  std::vector<std::unique_ptr<RenditionWriter>> writers;
  for (const Rendition& rendition : context.renditions()) {
    writers.push_back(std::make_unique<RenditionWriter>(context, rendition, chunk, timeline));
  }

  media::Demuxer demuxer(context.tmp().LocalPathForRead(tmp_keys::Chunk(plan.index)),
                         media::Demuxer::Kind::kIntermediate);
  media::Decoder decoder(demuxer.stream(0), what);
  const AVRational chunk_time_base = demuxer.stream(0)->time_base;
  const AVRational source_time_base{video.time_base.num, video.time_base.den};
  Progress progress(fmt::format("chunk {}", plan.index), plan.end_slot - plan.first_slot);
  ConstantRateQueue queue(plan.first_slot, plan.end_slot, [&](const AVFrame* frame, int64_t slot) {
    for (auto& writer : writers) writer->Encode(frame, slot);
    progress.Advance();
  });

  int64_t frames_in_range = 0;
  auto take_frames = [&]() {
    media::FramePtr frame = media::MakeFrame();
    while (decoder.Receive(frame.get())) {
      // Every chunk packet has a pts (split refuses packets without), so the frame's own pts
      // is exact. best_effort_timestamp is not: under frame threading its guess can switch to
      // decode times, which moved frames between output slots from one run to the next.
      // The chunk file may use a finer time base than the source; the plan is in the source's.
      int64_t pts = av_rescale_q(frame->pts, chunk_time_base, source_time_base);
      if (pts >= plan.start_pts && pts < plan.end_pts) {
        ++frames_in_range;
        int64_t slot = timeline.SlotAt(pts, video.time_base, video.start_pts);
        queue.Push(std::move(frame), slot);
        frame = media::MakeFrame();
      } else {
        av_frame_unref(frame.get());  // a neighbouring chunk's frame, decoded as a reference
      }
    }
  };
  media::PacketPtr packet = media::MakePacket();
  while (demuxer.Read(packet.get())) {
    ThrowIfStopRequested(what);
    decoder.Send(packet.get());
    av_packet_unref(packet.get());
    take_frames();
  }
  decoder.Send(nullptr);
  take_frames();
  queue.Finish();
  progress.Finish();
  if (frames_in_range != plan.input_frames) {
    Fail(ExitCode::kDataError, "{}: decoded {} frames, the source has {} in this range", what,
         frames_in_range, plan.input_frames);
  }

  nlohmann::json result = nlohmann::json::object();
  const auto renditions = context.renditions();
  for (size_t i = 0; i < writers.size(); ++i) {
    result[renditions[i].name] = writers[i]->Publish(plan.end_slot - plan.first_slot);
  }
  return result;
}

}  // namespace vodctl
