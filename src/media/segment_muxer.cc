#include "media/segment_muxer.h"

#include "media/av_error.h"

extern "C" {
#include <libavutil/opt.h>
}

#include <algorithm>
#include <cstdint>
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

uint32_t ReadU32(const std::string& bytes, size_t pos) {
  uint32_t value = 0;
  for (size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<uint8_t>(bytes[pos + i]);
  return value;
}

// A box: where it starts, where its payload starts, where it ends.
struct Box {
  size_t start = 0;
  size_t payload = 0;
  size_t end = 0;
};

// The first box of `type` among the boxes from `pos` to `end`.
std::optional<Box> FindBox(const std::string& bytes, size_t pos, size_t end, const char* type) {
  while (pos + 8 <= end) {
    uint64_t size = ReadU32(bytes, pos);
    size_t header = 8;
    if (size == 1 && pos + 16 <= end) {  // a 64-bit size follows the type
      size = uint64_t{ReadU32(bytes, pos + 8)} << 32 | ReadU32(bytes, pos + 12);
      header = 16;
    }
    if (size < header) return std::nullopt;
    if (bytes.compare(pos + 4, 4, type) == 0) return Box{pos, pos + header, std::min<size_t>(pos + size, end)};
    pos += size;
  }
  return std::nullopt;
}

// Where the first sample of the fragment starting at `pos` ends: its data comes first in the
// mdat, and its size is in the trun (or the tfhd's default). The muxer may rewrite a packet
// (Annex B start codes become lengths), so the packet's own size is not the sample's.
std::optional<size_t> FirstSampleEnd(const std::string& bytes, size_t pos) {
  std::optional<Box> moof = FindBox(bytes, pos, bytes.size(), "moof");
  std::optional<Box> mdat = moof ? FindBox(bytes, moof->end, bytes.size(), "mdat") : std::nullopt;
  std::optional<Box> traf = moof ? FindBox(bytes, moof->payload, moof->end, "traf") : std::nullopt;
  if (!mdat || !traf) return std::nullopt;
  std::optional<Box> tfhd = FindBox(bytes, traf->payload, traf->end, "tfhd");
  std::optional<Box> trun = FindBox(bytes, traf->payload, traf->end, "trun");
  if (!tfhd || !trun) return std::nullopt;
  // ISO/IEC 14496-12 8.8.8: after version/flags and sample_count, the optional data offset
  // and first sample flags, then the first sample's duration and size when present.
  const uint32_t trun_flags = ReadU32(bytes, trun->payload) & 0xffffff;
  size_t field = trun->payload + 8 + (trun_flags & 0x1 ? 4 : 0) + (trun_flags & 0x4 ? 4 : 0) +
                 (trun_flags & 0x100 ? 4 : 0);
  if (!(trun_flags & 0x200)) {
    // 8.8.7: the tfhd's default size, after track_ID and the optional fields before it.
    const uint32_t tfhd_flags = ReadU32(bytes, tfhd->payload) & 0xffffff;
    if (!(tfhd_flags & 0x10)) return std::nullopt;
    field = tfhd->payload + 8 + (tfhd_flags & 0x1 ? 8 : 0) + (tfhd_flags & 0x2 ? 4 : 0) +
            (tfhd_flags & 0x8 ? 4 : 0);
  }
  return mdat->payload + ReadU32(bytes, field);
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
    WriteKeyFrame(packet);
    return;
  }
  muxer_.Write(packet, 0, input_time_base_);
  unflushed_ = true;
}

void SegmentMuxer::WriteKeyFrame(AVPacket* packet) {
  if (format_ == Format::kTs) muxer_.SetPrivateOption("mpegts_flags", "+resend_headers");
  // Bytes still in the muxer's buffer would land inside the frame's range. A TS flush only
  // moves them on; an fMP4 flush with no samples buffered would write the moov early.
  if (unflushed_ || format_ == Format::kTs) EndFragment();
  KeyFrame key_frame;
  key_frame.pts = packet->pts;  // before Write rescales it
  // The init section, written by the stream's first flush, is taken out of the sink before
  // anything follows it, so this offset holds.
  key_frame.offset = static_cast<int64_t>(sink_.bytes().size());
  muxer_.Write(packet, 0, input_time_base_);
  unflushed_ = true;
  if (format_ == Format::kTs) {
    EndFragment();  // its PES is all out: the range ends here
    key_frame.size = static_cast<int64_t>(sink_.bytes().size()) - key_frame.offset;
    key_frames_.push_back(key_frame);
  } else {
    open_key_frame_ = key_frame;
  }
}

void SegmentMuxer::EndFragment() {
  muxer_.Flush();
  unflushed_ = false;
  if (format_ != Format::kFmp4) return;
  if (init_.empty()) TakeInitSection();
  if (open_key_frame_) {
    // The key frame's sample comes first in its fragment's mdat: the range runs from the
    // fragment's first box through that sample (Apple's layout for fMP4 I-frame playlists).
    KeyFrame key_frame = *std::exchange(open_key_frame_, std::nullopt);
    std::optional<size_t> end = FirstSampleEnd(sink_.bytes(), static_cast<size_t>(key_frame.offset));
    if (!end) Fail(ExitCode::kSoftware, "{}: cannot find a key frame's sample in its fragment", what_);
    key_frame.size = static_cast<int64_t>(*end) - key_frame.offset;
    key_frames_.push_back(key_frame);
  }
}

void SegmentMuxer::TakeInitSection() {
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

AVRational SegmentMuxer::track_time_base() const { return muxer_.stream(0)->time_base; }

// As libavformat does: av_packet_rescale_ts into the stream's time base, then
// output_ts_offset rescaled on its own and added (write_packet() in mux.c).
int64_t SegmentMuxer::TrackTime(int64_t input_timestamp) const {
  const AVRational track = track_time_base();
  return av_rescale_q(input_timestamp, input_time_base_, track) +
         av_rescale_q(kPresentationOffsetMicroseconds, AV_TIME_BASE_Q, track);
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
