#include "media/video_filter.h"

#include <catch2/catch.hpp>

#include <cstring>

namespace vodctl::media {
namespace {

// A grey yuv420p picture whose luma value is 16 + its row number, at `pts`.
FramePtr Picture(int width, int height, int64_t pts) {
  FramePtr frame = MakeFrame();
  frame->format = AV_PIX_FMT_YUV420P;
  frame->width = width;
  frame->height = height;
  frame->pts = pts;
  REQUIRE(av_frame_get_buffer(frame.get(), 0) == 0);
  for (int y = 0; y < height; ++y) std::memset(frame->data[0] + y * frame->linesize[0], 16 + y, width);
  for (int plane = 1; plane < 3; ++plane) {
    for (int y = 0; y < height / 2; ++y) {
      std::memset(frame->data[plane] + y * frame->linesize[plane], 128, width / 2);
    }
  }
  return frame;
}

}  // namespace

TEST_CASE("A quarter turn clockwise puts the bottom row on the left") {
  VideoFilter filter("transpose=clock", AVRational{1, 25}, "test");
  FramePtr input = Picture(8, 4, 7);
  filter.Send(input.get());
  filter.Send(nullptr);
  FramePtr output = MakeFrame();
  REQUIRE(filter.Receive(output.get()));
  CHECK(output->width == 4);
  CHECK(output->height == 8);
  CHECK(output->pts == 7);
  // Column x of the output is row (height - 1 - x) of the input.
  CHECK(output->data[0][0] == 16 + 3);
  CHECK(output->data[0][3] == 16 + 0);
  CHECK_FALSE(filter.Receive(output.get()));
}

TEST_CASE("The deinterlacer gives one frame per frame, timestamps in the input's time base") {
  // bwdif halves the time base on its output; the filter gives the frames back in 1/25.
  VideoFilter filter("bwdif=mode=send_frame:parity=tff:deint=all", AVRational{1, 25}, "test");
  std::vector<int64_t> out_pts;
  FramePtr output = MakeFrame();
  for (int64_t pts : {10, 11, 12, 13}) {
    FramePtr input = Picture(16, 16, pts);
    filter.Send(input.get());
    while (filter.Receive(output.get())) {
      out_pts.push_back(output->pts);
      av_frame_unref(output.get());
    }
  }
  filter.Send(nullptr);
  while (filter.Receive(output.get())) {
    out_pts.push_back(output->pts);
    av_frame_unref(output.get());
  }
  CHECK(out_pts == std::vector<int64_t>{10, 11, 12, 13});
}

TEST_CASE("A filter that never saw a frame drains to nothing") {
  VideoFilter filter("transpose=clock", AVRational{1, 25}, "test");
  filter.Send(nullptr);
  FramePtr output = MakeFrame();
  CHECK_FALSE(filter.Receive(output.get()));
}

}  // namespace vodctl::media
