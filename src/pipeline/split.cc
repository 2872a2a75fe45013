#include "media/av_error.h"
#include "media/colour.h"
#include "media/decoder.h"
#include "media/demuxer.h"
#include "media/muxer.h"
#include "media/presentation_time_filler.h"
#include "pipeline/job_mirror.h"
#include "pipeline/picture_filters.h"
#include "pipeline/source_reading_guard.h"
#include "pipeline/steps.h"
#include "vodctl/error.h"
#include "util/interrupt.h"
#include "util/progress.h"
#include "vodctl/log.h"

#include <nlohmann/json.hpp>

extern "C" {
#include <libavutil/imgutils.h>
}

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <utility>

namespace vodctl {
namespace {

using media::Demuxer;
using media::FileSink;
using media::Muxer;

const AVStream* FirstStreamOf(const Demuxer& demuxer, AVMediaType type) {
  AVFormatContext* format = demuxer.context();
  for (unsigned i = 0; i < format->nb_streams; ++i) {
    const AVStream* stream = format->streams[i];
    if (stream->codecpar->codec_type == type && !(stream->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
      return stream;
    }
  }
  return nullptr;
}

Rational ToRational(AVRational r) { return {r.num, r.den}; }

// Every audio stream, in source order: the first is the default rendition.
void AddAudioStreams(const AVFormatContext* format, SourceInfo& info) {
  for (unsigned i = 0; i < format->nb_streams; ++i) {
    const AVStream* audio = format->streams[i];
    if (audio->codecpar->codec_type != AVMEDIA_TYPE_AUDIO) continue;
    AudioInfo a;
    a.stream_index = audio->index;
    a.codec = avcodec_get_name(audio->codecpar->codec_id);
    a.sample_rate = audio->codecpar->sample_rate;
    a.channels = audio->codecpar->ch_layout.nb_channels;
    a.time_base = ToRational(audio->time_base);
    a.start_pts = audio->start_time != AV_NOPTS_VALUE ? audio->start_time : 0;
    for (auto [key, field] : {std::pair{"language", &a.language}, std::pair{"title", &a.title}}) {
      if (const AVDictionaryEntry* tag = av_dict_get(audio->metadata, key, nullptr, 0)) {
        *field = tag->value;
      }
    }
    if (info.audio) {
      info.more_audio.push_back(a);
    } else {
      info.audio = a;
    }
  }
}

SourceInfo ProbeStreams(const Demuxer& demuxer) {
  const std::string& path = demuxer.name();
  SourceInfo info;
  AVFormatContext* format = demuxer.context();
  info.format = format->iformat->name;
  info.duration = format->duration > 0 ? format->duration / double(AV_TIME_BASE) : 0;
  info.bit_rate = format->bit_rate;
  info.size = demuxer.size();

  AddAudioStreams(format, info);
  const AVStream* video = FirstStreamOf(demuxer, AVMEDIA_TYPE_VIDEO);
  if (!video && !info.audio) {
    Fail(ExitCode::kDataError, "source '{}' has no video or audio stream", path);
  }
  if (!video) return info;  // audio only: an audio rendition and no video ladder
  const AVCodecParameters* vp = video->codecpar;
  if (vp->width <= 0 || vp->height <= 0) {
    Fail(ExitCode::kDataError, "source '{}': video stream has no picture size", path);
  }
  info.video.stream_index = video->index;
  info.video.codec = avcodec_get_name(vp->codec_id);
  info.video.width = vp->width;
  info.video.height = vp->height;
  AVRational sar = av_guess_sample_aspect_ratio(format, const_cast<AVStream*>(video), nullptr);
  info.video.sample_aspect = sar.num > 0 ? ToRational(sar) : Rational{1, 1};
  // FFmpeg's own guess (what its CLI uses to make a stream constant-rate): the nominal rate of
  // a variable-rate phone video (30), not its average (29.3).
  AVRational rate = av_guess_frame_rate(format, const_cast<AVStream*>(video), nullptr);
  info.video.frame_rate = ToRational(rate);
  info.video.time_base = ToRational(video->time_base);
  size_t matrix_size = 0;
  const uint8_t* matrix = av_stream_get_side_data(video, AV_PKT_DATA_DISPLAYMATRIX, &matrix_size);
  info.video.rotation = RotationFromDisplayMatrix(
      matrix_size >= 9 * sizeof(int32_t) ? reinterpret_cast<const int32_t*>(matrix) : nullptr);
  info.video.field_order = FieldOrderName(vp->field_order);
  info.video.colour = media::ReadColour(*video);
  info.video.colour_conversion = media::PlanColour(info.video.colour, info.video.height).summary;

  return info;
}

// HDR10 files often state their light levels only in their pictures' SEI, not in the
// container: then they are read from the first key frame, decoded on its own.
void ReadHdrLevelsOfFirstPicture(const AVStream* video, const AVPacket& key,
                                 const std::string& source, VideoInfo& info) {
  media::Decoder decoder(video, fmt::format("source '{}' first picture", source));
  decoder.Send(&key);
  decoder.Send(nullptr);
  media::FramePtr picture = media::MakeFrame();
  if (!decoder.Receive(picture.get())) return;
  media::ReadHdrLevels(*picture, info.colour);
  info.colour_conversion = media::PlanColour(info.colour, info.height).summary;
}

// What the job's source policy judges, from the probed streams.
SourceFacts FactsOf(const Demuxer& demuxer, const SourceInfo& info) {
  SourceFacts facts;
  facts.name = demuxer.name();
  facts.format = info.format;
  facts.size = info.size;
  facts.duration = info.duration;
  facts.streams = static_cast<int>(demuxer.context()->nb_streams);
  if (info.audio) facts.audio_codecs.push_back(info.audio->codec);
  for (const AudioInfo& more : info.more_audio) facts.audio_codecs.push_back(more.codec);
  if (info.video.stream_index < 0) return facts;
  const AVCodecParameters* vp = demuxer.stream(info.video.stream_index)->codecpar;
  facts.video_codec = info.video.codec;
  facts.width = info.video.width;
  facts.height = info.video.height;
  facts.frame_rate = info.video.frame_rate.value();
  const int bytes = av_image_get_buffer_size(static_cast<AVPixelFormat>(vp->format), vp->width,
                                             vp->height, 1);
  // A pixel format probing did not find: assume the widest common one, 4:4:4 at 16 bits.
  constexpr int64_t kWidestBytesPerPixel = 6;
  facts.picture_bytes = bytes > 0 ? bytes : int64_t{vp->width} * vp->height * kWidestBytesPerPixel;
  return facts;
}

// Streams copied, as split reads them, into an intermediate file of tmp: a video chunk, or
// every audio stream (in source order: stream i of the file is audio track i).
class StreamCopyWriter {
 public:
  // `format`: the intermediate container (see media/intermediate.h).
  StreamCopyWriter(Storage& tmp, std::string key, std::vector<const AVStream*> sources,
                   const char* format = media::kIntermediateFormat)
      : tmp_(tmp),
        key_(std::move(key)),
        sink_(tmp.ScratchPath(key_)),
        muxer_(Muxer::Intermediate(&sink_, key_, format)) {
    for (const AVStream* source : sources) {
      output_index_[source->index] = muxer_->AddStream(source->codecpar, source->time_base);
      time_base_[source->index] = source->time_base;
    }
    muxer_->WriteHeader();
  }

  // Whether `packet` belongs to one of the streams copied here.
  bool Copies(const AVPacket* packet) const { return output_index_.contains(packet->stream_index); }

  void Write(const AVPacket* packet) {
    media::PacketPtr copy(av_packet_clone(packet));
    if (!copy) throw std::bad_alloc();
    muxer_->Write(copy.get(), output_index_.at(packet->stream_index),
                  time_base_.at(packet->stream_index));
  }

  // Stores the finished file; returns its size and checksum for the plan.
  nlohmann::json Publish() {
    muxer_->Finish();
    sink_.Close();
    nlohmann::json record = {{"size", sink_.size()}, {"sha256", sink_.HexDigest()}};
    tmp_.PutFile(key_, sink_.path());
    return record;
  }

 private:
  Storage& tmp_;
  std::string key_;
  FileSink sink_;
  std::unique_ptr<Muxer> muxer_;
  std::map<int, int> output_index_;       // source stream index -> stream in the file
  std::map<int, AVRational> time_base_;   // source stream index -> its time base
};

int64_t PresentationTime(const AVPacket* packet) {
  return packet->pts != AV_NOPTS_VALUE ? packet->pts : packet->dts;
}

// Cuts the video into chunks while the source is read once. A chunk starts at the first key
// frame at least chunk_duration after the previous chunk's start. Frames that follow the new
// key frame in decode order but show before it (an open GOP's leading pictures) belong to the
// previous chunk, and need that key frame to decode: both are copied into the previous chunk
// too, and transcode keeps only the frames inside a chunk's presentation range.
class VideoChunker {
 public:
  // `frame_rate`: the nominal rate the output is made at.
  VideoChunker(Storage& tmp, const AVStream* stream, double chunk_duration, Rational frame_rate,
               std::string source)
      : tmp_(tmp),
        source_(std::move(source)),
        stream_(stream),
        chunk_ticks_(std::llround(chunk_duration / av_q2d(stream->time_base))),
        frame_ticks_(std::max<int64_t>(
            1, std::llround(1 / (frame_rate.value() * av_q2d(stream->time_base))))) {}

  void Write(const AVPacket* packet) {
    media::PacketPtr copy(av_packet_clone(packet));
    if (!copy) throw std::bad_alloc();
    untimed_.Push(std::move(copy));
    while (media::PacketPtr timed = untimed_.Pop()) WriteTimed(timed.get());
  }

  // Finishes the last chunk; returns the plan of every chunk.
  std::vector<ChunkPlan> Finish(const Timeline& timeline) {
    untimed_.Finish();
    while (media::PacketPtr timed = untimed_.Pop()) WriteTimed(timed.get());
    return Plan(timeline);
  }

  // The first frame shown, output time 0; valid after Finish.
  int64_t origin_pts() const { return origin_pts_; }
  int64_t end_pts() const { return end_pts_; }
  // Frames from the first key frame on; valid after Finish.
  int64_t frame_count() const { return frame_count_; }
  const std::vector<nlohmann::json>& records() const { return records_; }

 private:
  void WriteTimed(const AVPacket* packet) {
    int64_t pts = PresentationTime(packet);
    if (pts == AV_NOPTS_VALUE) {
      Fail(ExitCode::kDataError, "source video packet without timestamps at byte {}", packet->pos);
    }
    bool key = packet->flags & AV_PKT_FLAG_KEY;
    if (!current_ && !key) return;  // nothing decodable before the first key frame
    if (key && (!current_ || pts - starts_.back() >= chunk_ticks_)) {
      StartChunk(packet, pts);
    } else {
      if (previous_ && pts < starts_.back()) {
        if (pending_key_) previous_->Write(pending_key_.get());
        pending_key_.reset();
        previous_->Write(packet);
      } else {
        ClosePrevious();
      }
      current_->Write(packet);
    }
    // An MP4 edit list that starts past a key frame marks the pictures before its start
    // discarded: copied, since the frames after them need them to decode, never shown.
    if (!(packet->flags & AV_PKT_FLAG_DISCARD)) frames_.push_back({pts, packet->duration});
  }

  std::vector<ChunkPlan> Plan(const Timeline& timeline) {
    if (!current_) {
      Fail(ExitCode::kDataError, "source '{}' has no decodable video (no key frame)", source_);
    }
    ClosePrevious();
    records_.push_back(current_->Publish());
    current_.reset();

    std::sort(frames_.begin(), frames_.end());
    auto shown = std::lower_bound(frames_.begin(), frames_.end(), Frame{starts_.front(), INT64_MIN});
    if (shown == frames_.end()) {
      Fail(ExitCode::kDataError, "source '{}' has no video frame to show", source_);
    }
    origin_pts_ = shown->pts;  // the first key frame's, unless an edit list starts later
    end_pts_ = PresentationEnd();
    std::vector<ChunkPlan> plans;
    Rational time_base{stream_->time_base.num, stream_->time_base.den};
    const int64_t origin = origin_pts_;
    for (size_t i = 0; i < starts_.size(); ++i) {
      ChunkPlan plan;
      plan.index = static_cast<int>(i);
      plan.start_pts = std::max(starts_[i], origin);
      plan.end_pts = i + 1 < starts_.size() ? starts_[i + 1] : end_pts_;
      plan.first_slot = timeline.SlotAt(plan.start_pts, time_base, origin);
      plan.end_slot = timeline.SlotAt(plan.end_pts, time_base, origin);
      auto first = std::lower_bound(frames_.begin(), frames_.end(), Frame{plan.start_pts, INT64_MIN});
      auto last = std::lower_bound(frames_.begin(), frames_.end(), Frame{plan.end_pts, INT64_MIN});
      plan.input_frames = last - first;
      frame_count_ += plan.input_frames;
      plans.push_back(plan);
    }
    return plans;
  }

  void StartChunk(const AVPacket* packet, int64_t pts) {
    ClosePrevious();
    if (current_) {
      previous_ = std::move(current_);
      pending_key_.reset(av_packet_clone(packet));
    }
    starts_.push_back(pts);
    current_ = std::make_unique<StreamCopyWriter>(
        tmp_, tmp_keys::Chunk(static_cast<int>(starts_.size() - 1)),
        std::vector<const AVStream*>{stream_});
    current_->Write(packet);
  }

  // Where the last frame stops showing. A packet's duration is believed only up to the
  // longest any frame of the stream showed (the step to the next timestamp), and at least
  // one frame at the nominal rate: one packet claiming hours (an MKV BlockDuration, an MP4
  // stts delta) would otherwise make every rendition repeat its picture for hours.
  // Valid once frames_ is sorted.
  int64_t PresentationEnd() const {
    int64_t longest_step = frame_ticks_;
    for (size_t i = 1; i < frames_.size(); ++i) {
      longest_step = std::max(longest_step, frames_[i].pts - frames_[i - 1].pts);
    }
    int64_t end = 0;
    for (const Frame& frame : frames_) {
      const int64_t shown = std::clamp<int64_t>(frame.duration, 1, longest_step);
      int64_t frame_end = 0;
      if (__builtin_add_overflow(frame.pts, shown, &frame_end)) frame_end = INT64_MAX;
      end = std::max(end, frame_end);
    }
    return end;
  }

  void ClosePrevious() {
    if (!previous_) return;
    records_.push_back(previous_->Publish());
    previous_.reset();
    pending_key_.reset();
  }

  Storage& tmp_;
  std::string source_;  // for messages
  const AVStream* stream_;
  int64_t chunk_ticks_;
  media::PresentationTimeFiller untimed_;  // an AVI's reference pictures have no pts
  std::unique_ptr<StreamCopyWriter> current_;
  std::unique_ptr<StreamCopyWriter> previous_;  // still taking an open GOP's leading pictures
  media::PacketPtr pending_key_;
  std::vector<int64_t> starts_;
  struct Frame {
    int64_t pts;
    int64_t duration;  // as the packet claims it
    auto operator<=>(const Frame&) const = default;
  };
  int64_t frame_ticks_;  // one frame at the nominal rate, in the stream's time base
  std::vector<Frame> frames_;  // every frame shown, to count each chunk's frames
  int64_t origin_pts_ = 0;  // valid after Finish
  int64_t end_pts_ = 0;     // valid after Finish
  int64_t frame_count_ = 0;
  std::vector<nlohmann::json> records_;
};

}  // namespace

void RunSplit(JobContext& context) {
  const JobRecord& job = context.job();
  const SourcePolicy& policy = job.options.source_policy;
  Demuxer demuxer(context.OpenSource(), Demuxer::Kind::kSource, &policy);
  SourceInfo info = ProbeStreams(demuxer);
  policy.Check(FactsOf(demuxer, info));
  const AVStream* video = info.video.stream_index >= 0 ? demuxer.stream(info.video.stream_index)
                                                      : nullptr;
  std::vector<const AVStream*> audio;
  if (info.audio) audio.push_back(demuxer.stream(info.audio->stream_index));
  for (const AudioInfo& more : info.more_audio) audio.push_back(demuxer.stream(more.stream_index));
  for (unsigned i = 0; i < demuxer.context()->nb_streams; ++i) {
    bool wanted = (video && video->index == int(i)) ||
                  std::any_of(audio.begin(), audio.end(), [i](auto* a) { return a->index == int(i); });
    demuxer.stream(i)->discard = wanted ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
  }
  Timeline timeline(OutputFrameRate(info.video), job.options.segment_duration);

  std::optional<VideoChunker> chunker;
  if (video) {
    chunker.emplace(context.tmp(), video, job.options.ChunkDuration(info.duration),
                    OutputFrameRate(info.video), demuxer.name());
  }
  // The audio is only copied here; EncodeAudio encodes it while chunks are transcoded.
  std::unique_ptr<StreamCopyWriter> audio_copy;
  if (!audio.empty()) {
    const bool nut_carries = std::all_of(audio.begin(), audio.end(), [](const AVStream* a) {
      return media::NutCarries(a->codecpar->codec_id);
    });
    audio_copy = std::make_unique<StreamCopyWriter>(
        context.tmp(), tmp_keys::AudioSource(), audio,
        nut_carries ? media::kIntermediateFormat : media::kAudioCopyFormat);
  }
  Progress progress("split", info.size);
  media::PacketPtr packet = media::MakePacket();
  int64_t last_position = 0;
  SourceReadingGuard guard(demuxer.context(), demuxer.name(), policy);
  bool hdr_levels_wanted = video && media::LacksHdrLevels(info.video.colour);
  while (demuxer.Read(packet.get())) {
    ThrowIfStopRequested(fmt::format("job '{}' split", job.id));
    guard.Check(packet.get());
    if (video && packet->stream_index == video->index) {
      if (hdr_levels_wanted && (packet->flags & AV_PKT_FLAG_KEY)) {
        ReadHdrLevelsOfFirstPicture(video, *packet, demuxer.name(), info.video);
        hdr_levels_wanted = false;
      }
      chunker->Write(packet.get());
    } else if (audio_copy && audio_copy->Copies(packet.get())) {
      audio_copy->Write(packet.get());
    }
    if (packet->pos > last_position) {
      progress.Advance(packet->pos - last_position);
      last_position = packet->pos;
    }
    av_packet_unref(packet.get());
  }
  guard.Finish();
  // Audio only: no chunks, so nothing to transcode or join.
  std::vector<ChunkPlan> chunks = chunker ? chunker->Finish(timeline) : std::vector<ChunkPlan>{};
  const nlohmann::json audio_record = audio_copy ? audio_copy->Publish() : nlohmann::json();
  progress.Finish();

  if (chunker) {
    info.video.start_pts = chunker->origin_pts();
    info.video.end_pts = chunker->end_pts();
    info.video.frame_count = chunker->frame_count();
  }
  context.state().SetSourceInfo(job.id, info);
  nlohmann::json result = job.result.is_object() ? job.result : nlohmann::json::object();
  result["split"] = {{"chunks", chunker ? nlohmann::json(chunker->records()) : nlohmann::json::array()},
                     {"audio_source", audio_record}};
  context.state().SetJobResult(job.id, result);
  // Splitting again (its files were lost) gives the same plan: chunks already transcoded
  // keep their state.
  std::vector<ChunkRecord> existing = context.state().ListChunks(job.id);
  bool same_plan = existing.size() == chunks.size() &&
                   std::equal(chunks.begin(), chunks.end(), existing.begin(),
                              [](const ChunkPlan& a, const ChunkRecord& b) { return a == b.plan; });
  if (!same_plan) context.state().SetChunks(job.id, chunks);
  MirrorPlan(context);
  log::Info("job '{}': split {} into {} chunks, {} video frames{}", job.id, demuxer.name(), chunks.size(),
            info.video.frame_count,
            audio.empty() ? ", no audio" : fmt::format(", {} audio stream(s) copied", audio.size()));
}

}  // namespace vodctl
