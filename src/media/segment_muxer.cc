#include "media/segment_muxer.h"

#include "media/av_error.h"

extern "C" {
#include <libavutil/opt.h>
}

#include <utility>

namespace vodctl::media {
namespace {

// Neither MPEG-TS nor an fMP4 track's decode times can go below zero, yet x264's first decode
// time is negative (B-frame delay) and so is AAC's first packet (encoder priming). Every
// stream of every rendition is shifted by the same constant, so they stay in sync with each
// other and with the source; 10 s is where Apple's segmenters start their timelines.
constexpr int64_t kPresentationOffsetMicroseconds = 10'000'000;

// Offset of the first top-level box that starts a media fragment: what comes before it is the
// initialization section.
std::optional<size_t> FirstFragmentBox(const std::string& bytes) {
  size_t pos = 0;
  while (pos + 8 <= bytes.size()) {
    auto byte = [&](size_t i) { return static_cast<uint64_t>(static_cast<uint8_t>(bytes[pos + i])); };
    uint64_t size = byte(0) << 24 | byte(1) << 16 | byte(2) << 8 | byte(3);
    std::string type = bytes.substr(pos + 4, 4);
    if (type == "styp" || type == "sidx" || type == "moof") return pos;
    if (size < 8) return std::nullopt;
    pos += size;
  }
  return std::nullopt;
}

}  // namespace

SegmentMuxer::SegmentMuxer(Format format, const AVStream* input, AVRational time_base,
                           std::string what)
    : format_(format),
      video_(input->codecpar->codec_type == AVMEDIA_TYPE_VIDEO),
      what_(std::move(what)),
      input_time_base_(input->time_base),
      muxer_(format == Format::kFmp4 ? "mp4" : "mpegts", &sink_, what_) {
  muxer_.AddStream(input->codecpar, time_base);
  muxer_.SetOutputOffset(kPresentationOffsetMicroseconds);
  if (format_ == Format::kFmp4) {
    // Fragments are cut only where we say (frag_custom), after the moov is written with the
    // first fragment (delay_moov). frag_discont without edit lists makes each tfdt the
    // packet's own decode time: by default the muxer moves every track to start at zero,
    // which would undo the B-frame delay against the audio and desync them in players that
    // ignore edit lists (hls.js, most MSE players).
    muxer_.WriteHeader("movflags=+frag_custom+dash+delay_moov+frag_discont:use_editlist=0");
  } else {
    muxer_.WriteHeader();
  }
}

void SegmentMuxer::Write(AVPacket* packet) {
  if (!segment_open_ && format_ == Format::kTs) {
    muxer_.SetPrivateOption("mpegts_flags", "+resend_headers");
  }
  segment_open_ = true;
  // Every AAC frame is flagged key; only video key frames are what trick play shows.
  if (video_ && (packet->flags & AV_PKT_FLAG_KEY)) {
    WriteKeyFrameAlone(packet);
    return;
  }
  muxer_.Write(packet, 0, input_time_base_);
  unflushed_ = true;
}

void SegmentMuxer::WriteKeyFrameAlone(AVPacket* packet) {
  if (format_ == Format::kTs) muxer_.SetPrivateOption("mpegts_flags", "+resend_headers");
  // Bytes still in the muxer's buffer would land inside the frame's range. A TS flush only
  // moves them on; an fMP4 flush with no samples buffered would write the moov early.
  if (unflushed_ || format_ == Format::kTs) EndFragment();
  KeyFrame key_frame;
  key_frame.pts = packet->pts;  // before Write rescales it
  key_frame.offset = static_cast<int64_t>(sink_.bytes().size());
  muxer_.Write(packet, 0, input_time_base_);
  // What the flush puts in the sink is this frame alone: the init section, written by the
  // stream's first flush, is taken out of the sink by EndFragment.
  EndFragment();
  key_frame.size = static_cast<int64_t>(sink_.bytes().size()) - key_frame.offset;
  key_frames_.push_back(key_frame);
}

void SegmentMuxer::EndFragment() {
  muxer_.Flush();
  unflushed_ = false;
  if (format_ != Format::kFmp4 || !init_.empty()) return;
  std::string& bytes = sink_.bytes();
  // With delay_moov the first flush may write only the moov; the fragment follows on the
  // next one. Either way, what precedes the first fragment box is the init section.
  std::optional<size_t> split = FirstFragmentBox(bytes);
  if (!split) {
    muxer_.Flush();
    split = FirstFragmentBox(bytes);
  }
  if (!split) Fail(ExitCode::kSoftware, "{}: the first fragment has no moof", what_);
  init_ = bytes.substr(0, *split);
  bytes.erase(0, *split);
}

std::string SegmentMuxer::Cut() {
  // A segment that ends with a key frame was flushed already; flushing an fMP4 muxer with
  // nothing buffered is not a no-op.
  if (unflushed_) EndFragment();
  segment_open_ = false;
  cut_key_frames_ = std::exchange(key_frames_, {});
  return std::exchange(sink_.bytes(), std::string());
}

}  // namespace vodctl::media
