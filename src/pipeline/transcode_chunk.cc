#include "media/av_error.h"
#include "media/decoder.h"
#include "media/demuxer.h"
#include "media/encoder.h"
#include "media/muxer.h"
#include "media/scaler.h"
#include "media/video_filter.h"
#include "pipeline/constant_rate_queue.h"
#include "pipeline/picture_filters.h"
#include "pipeline/scale_plan.h"
#include "pipeline/steps.h"
#include "vodctl/error.h"
#include "util/bounded_queue.h"
#include "util/interrupt.h"
#include "util/progress.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <exception>
#include <optional>
#include <thread>

namespace vodctl {
namespace {

// One rendition of one chunk while it is encoded. The decoding thread scales each frame
// (so decoded frames are released in decode order, whatever the encoders' pace); the encoder
// runs in a thread of its own, so a chunk keeps more than one core busy and the renditions of
// a ladder encode side by side. Each encoder sees the same frames in the same order whatever
// the threads do, so its output bytes do not depend on them.
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
    encoding_ = std::jthread([this] { EncodeAll(); });
  }

  ~RenditionWriter() {
    // Leaving early (an error elsewhere, a stop): the encoder thread stops without flushing.
    frames_.Cancel();
  }

  // Scales `picture` (the decoded one, or a larger rendition's) for this rendition and hands
  // it to the encoder thread, waiting while that is kFramesAhead frames behind. Returns a
  // reference to the scaled picture for smaller renditions to scale from; the encoder only
  // reads it. Throws what the encoder thread failed with.
  media::FramePtr Encode(const AVFrame* picture, int64_t slot) {
    media::FramePtr scaled = scaler_.Scale(picture);
    scaled->pts = slot;
    // Every rendition has an IDR at each segment start, so segments align across renditions.
    scaled->pict_type = timeline_.StartsSegment(slot) ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
    media::FramePtr shared = media::SharePicture(scaled.get());
    if (!frames_.Push(std::move(scaled))) ThrowEncoderError();
    return shared;
  }

  // Waits for the encoder to finish, checks the frame count and stores the file.
  nlohmann::json Publish(int64_t expected_frames) {
    frames_.Close();
    encoding_.join();
    if (encoder_error_) std::rethrow_exception(encoder_error_);
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
  // Enough to ride out an encoder's uneven pace per frame; a 1080p frame is 3 MB.
  static constexpr size_t kFramesAhead = 8;

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

  // The encoder thread: every frame, then the flush, into the scratch file.
  void EncodeAll() {
    try {
      while (std::optional<media::FramePtr> frame = frames_.Pop()) {
        encoder_.Send(frame->get());
        Drain();
      }
      if (frames_.cancelled()) return;
      encoder_.Send(nullptr);
      Drain();
      muxer_->Finish();
      sink_.Close();
    } catch (...) {
      encoder_error_ = std::current_exception();
      frames_.Cancel();
    }
  }

  // For a failed Push, which only the encoder thread's failure makes fail.
  [[noreturn]] void ThrowEncoderError() {
    encoding_.join();
    if (encoder_error_) std::rethrow_exception(encoder_error_);
    Fail(ExitCode::kSoftware, "{}: the encoder thread stopped without an error", what_);
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
  int64_t packets_ = 0;  // written by the encoder thread, read after it ends
  BoundedQueue<media::FramePtr> frames_{kFramesAhead};
  std::exception_ptr encoder_error_;
  std::jthread encoding_;  // last: it ends before the members it uses are destroyed
};

}  // namespace

nlohmann::json TranscodeChunk(JobContext& context, const ChunkRecord& chunk,
                              const std::function<void()>& before_storing) {
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
  const std::vector<ScaleStep> scaling = PlanScaling(context.renditions());
  ConstantRateQueue queue(plan.first_slot, plan.end_slot, [&](const AVFrame* frame, int64_t slot) {
    std::vector<media::FramePtr> pictures(writers.size());
    for (const ScaleStep& step : scaling) {
      const AVFrame* from = step.from ? pictures[*step.from].get() : frame;
      pictures[step.rendition] = writers[step.rendition]->Encode(from, slot);
    }
    progress.Advance();
  });

  // Interlaced, rotated and not-BT.709 sources go through a filter chain before the queue.
  std::optional<media::VideoFilter> filter;
  if (std::string chain = PictureFilterChain(video); !chain.empty()) {
    filter.emplace(chain, source_time_base, what);
  }
  auto to_queue = [&](media::FramePtr frame) {
    int64_t slot = timeline.SlotAt(frame->pts, video.time_base, video.start_pts);
    queue.Push(std::move(frame), slot);
  };
  auto take_filtered = [&]() {
    media::FramePtr frame = media::MakeFrame();
    while (filter->Receive(frame.get())) {
      to_queue(std::move(frame));
      frame = media::MakeFrame();
    }
  };

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
        decoder.CheckIntact(frame.get());
        ++frames_in_range;
        frame->pts = pts;
        if (filter) {
          filter->Send(frame.get());
          take_filtered();
        } else {
          to_queue(std::move(frame));
          frame = media::MakeFrame();
        }
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
  if (filter) {
    filter->Send(nullptr);
    take_filtered();
  }
  queue.Finish();
  progress.Finish();
  if (frames_in_range != plan.input_frames) {
    Fail(ExitCode::kDataError, "{}: decoded {} frames, the source has {} in this range", what,
         frames_in_range, plan.input_frames);
  }

  nlohmann::json result = nlohmann::json::object();
  const auto renditions = context.renditions();
  before_storing();
  for (size_t i = 0; i < writers.size(); ++i) {
    result[renditions[i].name] = writers[i]->Publish(plan.end_slot - plan.first_slot);
  }
  return result;
}

}  // namespace vodctl
