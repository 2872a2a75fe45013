#include "pipeline/thumbnails.h"

#include "media/decoder.h"
#include "media/demuxer.h"
#include "media/sprite_sheet.h"
#include "pipeline/thumbnail_track.h"
#include "util/interrupt.h"
#include "vodctl/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <vector>

namespace vodctl {
namespace {

// The packets, in decode order, that start a segment, and where the last frame ends.
struct Starts {
  std::vector<int64_t> pts;
  int64_t end_pts = 0;
};

bool StartsSegment(const AVPacket& packet, AVRational time_base, const Timeline& timeline) {
  const AVRational slot_base{timeline.frame_rate().den, timeline.frame_rate().num};
  return (packet.flags & AV_PKT_FLAG_KEY) &&
         timeline.StartsSegment(av_rescale_q(packet.pts, time_base, slot_base));
}

Starts FindStarts(const std::string& path, const Timeline& timeline, const std::string& what) {
  media::Demuxer input(path, media::Demuxer::Kind::kIntermediate);
  const AVRational time_base = input.stream(0)->time_base;
  Starts starts;
  media::PacketPtr packet = media::MakePacket();
  while (input.Read(packet.get())) {
    ThrowIfStopRequested(what);
    if (StartsSegment(*packet, time_base, timeline)) starts.pts.push_back(packet->pts);
    starts.end_pts = std::max(starts.end_pts, packet->pts + packet->duration);
    av_packet_unref(packet.get());
  }
  if (starts.pts.empty()) Fail(ExitCode::kSoftware, "{}: no key frame starts a segment", what);
  return starts;
}

}  // namespace

void WriteThumbnails(JobContext& context, const std::string& sheet_stem, const Rendition& rendition) {
  const std::string what = fmt::format("job '{}' thumbnails from {}", context.id(), rendition.name);
  const std::string path = context.tmp().LocalPathForRead(tmp_keys::RenditionFull(rendition.name));
  const Timeline timeline = context.timeline();
  const Starts starts = FindStarts(path, timeline, what);
  ThumbnailLayout layout(rendition.width, rendition.height, static_cast<int>(starts.pts.size()));
  layout.sheet_stem = sheet_stem;

  media::Demuxer input(path, media::Demuxer::Kind::kIntermediate);
  const AVStream* stream = input.stream(0);
  std::vector<ThumbnailCue> cues;
  const auto ms_from_start = [&](int64_t pts) {
    return av_rescale_q(pts - starts.pts.front(), stream->time_base, AVRational{1, 1000});
  };
  std::optional<media::SpriteSheet> sheet;
  media::PacketPtr packet = media::MakePacket();
  media::FramePtr picture = media::MakeFrame();
  while (input.Read(packet.get())) {
    ThrowIfStopRequested(what);
    if (!StartsSegment(*packet, stream->time_base, timeline)) {
      av_packet_unref(packet.get());
      continue;
    }
    const int index = static_cast<int>(cues.size());
    const int sheet_index = layout.SheetOf(index);
    if (!sheet) {
      sheet.emplace(layout.ColumnsOf(sheet_index) * layout.tile_width,
                    layout.RowsOf(sheet_index) * layout.tile_height, what);
    }
    // A decoder of its own for each frame: an IDR needs nothing before it, and draining the
    // decoder gives the frame back at once, whatever frame reordering the stream declares.
    media::Decoder decoder(stream, fmt::format("{} thumbnail {}", what, index));
    decoder.Send(packet.get());
    decoder.Send(nullptr);
    if (!decoder.Receive(picture.get())) {
      Fail(ExitCode::kSoftware, "{}: the key frame at pts {} decodes to nothing", what, packet->pts);
    }
    sheet->Place(picture.get(), layout.XOf(index), layout.YOf(index), layout.tile_width,
                 layout.tile_height);
    av_frame_unref(picture.get());
    const size_t next = cues.size() + 1;
    cues.push_back({ms_from_start(packet->pts),
                    ms_from_start(next < starts.pts.size() ? starts.pts[next] : starts.end_pts)});
    av_packet_unref(packet.get());

    const bool sheet_full = layout.SheetOf(index + 1) != sheet_index || index + 1 == layout.thumbnails;
    if (sheet_full) {
      context.output().Write(fmt::format("{}/{}", kThumbnailFolder, layout.SheetName(sheet_index)),
                             sheet->EncodeJpeg());
      sheet.reset();
    }
  }
  context.output().Write(fmt::format("{}/thumbnails.vtt", kThumbnailFolder),
                         RenderThumbnailVtt(layout, cues));
}

}  // namespace vodctl
