#include "pipeline/source_reading_guard.h"

#include "vodctl/error.h"

#include <catch2/catch.hpp>

#include "test_support.h"

namespace vodctl {
namespace {

using testing::IsError;

// A context of the `demuxer` with one 1/1000 stream whose index lists `listed` packets, as
// a demuxer that read an MP4's sample table would have it.
// Freed without the demuxer's close, which expects the state of a file it opened.
struct FormatDeleter {
  void operator()(AVFormatContext* c) const { avformat_free_context(c); }
};
using FormatPtr = std::unique_ptr<AVFormatContext, FormatDeleter>;

FormatPtr OneStream(int listed, const char* demuxer = "mov") {
  FormatPtr format(avformat_alloc_context());
  REQUIRE(format);
  format->iformat = av_find_input_format(demuxer);
  REQUIRE(format->iformat);
  AVStream* stream = avformat_new_stream(format.get(), nullptr);
  REQUIRE(stream);
  stream->time_base = {1, 1000};
  for (int i = 0; i < listed; ++i) {
    REQUIRE(av_add_index_entry(stream, i * 100, i * 40, 100, 0, AVINDEX_KEYFRAME) >= 0);
  }
  return format;
}

void Read(SourceReadingGuard& guard, int64_t pts, int flags = 0) {
  media::PacketPtr packet = media::MakePacket();
  packet->stream_index = 0;
  packet->pts = packet->dts = pts;
  packet->flags = flags;
  guard.Check(packet.get());
}

}  // namespace

TEST_CASE("SourceReadingGuard passes a source read whole") {
  FormatPtr format = OneStream(3);
  SourcePolicy policy;
  SourceReadingGuard guard(format.get(), "upload.mp4", policy);
  for (int64_t pts : {0, 40, 80}) Read(guard, pts);
  CHECK_NOTHROW(guard.Finish());
}

TEST_CASE("SourceReadingGuard refuses a stream cut short of its index") {
  FormatPtr format = OneStream(3);
  SourcePolicy policy;
  SourceReadingGuard guard(format.get(), "upload.mp4", policy);
  Read(guard, 0);
  Read(guard, 40);
  CHECK_THROWS_MATCHES(guard.Finish(), Error,
                       IsError(ExitCode::kDataError,
                               "source 'upload.mp4' is cut short: stream 0 ends after 2 of the 3"));
}

TEST_CASE("SourceReadingGuard trusts no index built while reading") {
  // FFmpeg's FLV demuxer counts one packet more than a valid FLV holds.
  FormatPtr format = OneStream(3, "flv");
  SourcePolicy policy;
  SourceReadingGuard guard(format.get(), "upload.flv", policy);
  Read(guard, 0);
  Read(guard, 40);
  CHECK_NOTHROW(guard.Finish());
}

TEST_CASE("SourceReadingGuard holds a header to the length it states") {
  FormatPtr format = OneStream(0, "matroska");
  format->duration_estimation_method = AVFMT_DURATION_FROM_STREAM;
  format->start_time = 0;
  format->duration = 4 * AV_TIME_BASE;
  SourcePolicy policy;
  SECTION("media ending within 0.5 s of it is whole") {
    SourceReadingGuard guard(format.get(), "upload.mkv", policy);
    Read(guard, 0);
    Read(guard, 3560);
    CHECK_NOTHROW(guard.Finish());
  }
  SECTION("media ending 1.6 s early was cut") {
    SourceReadingGuard guard(format.get(), "upload.mkv", policy);
    Read(guard, 0);
    Read(guard, 2400);
    CHECK_THROWS_MATCHES(guard.Finish(), Error,
                         IsError(ExitCode::kDataError,
                                 "source 'upload.mkv' is cut short: its header says 4.000 s"));
  }
  SECTION("a length FFmpeg estimated from timestamps holds nothing") {
    format->duration_estimation_method = AVFMT_DURATION_FROM_PTS;
    SourceReadingGuard guard(format.get(), "upload.ts", policy);
    Read(guard, 0);
    Read(guard, 2400);
    CHECK_NOTHROW(guard.Finish());
  }
}

TEST_CASE("SourceReadingGuard refuses corrupt packets and timestamps past the longest duration") {
  FormatPtr format = OneStream(0);
  SourcePolicy policy;
  policy.max_duration = 60;
  SourceReadingGuard guard(format.get(), "upload.mkv", policy);
  Read(guard, 5000);
  Read(guard, 65000);  // 60 s after the first: still in
  CHECK_THROWS_MATCHES(Read(guard, 65001), Error,
                       IsError(ExitCode::kDataError, "--max-duration 60"));
  CHECK_THROWS_MATCHES(Read(guard, 100, AV_PKT_FLAG_CORRUPT), Error,
                       IsError(ExitCode::kDataError, "source 'upload.mkv' is damaged"));
}

}  // namespace vodctl
