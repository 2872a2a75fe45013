#include "pipeline/constant_rate_queue.h"

#include <catch2/catch.hpp>

#include <utility>
#include <vector>

namespace vodctl {
namespace {

// Frames are told apart by their pts; the test records (frame pts, slot) pairs.
std::vector<std::pair<int64_t, int64_t>> Run(int64_t first, int64_t end,
                                             const std::vector<std::pair<int64_t, int64_t>>& in) {
  std::vector<std::pair<int64_t, int64_t>> out;
  ConstantRateQueue queue(first, end, [&](const AVFrame* f, int64_t slot) {
    out.emplace_back(f->pts, slot);
  });
  for (auto [pts, slot] : in) {
    media::FramePtr frame = media::MakeFrame();
    frame->pts = pts;
    queue.Push(std::move(frame), slot);
  }
  queue.Finish();
  return out;
}

}  // namespace

TEST_CASE("ConstantRateQueue passes a constant-rate chunk through unchanged") {
  auto out = Run(10, 13, {{100, 10}, {101, 11}, {102, 12}});
  CHECK(out == std::vector<std::pair<int64_t, int64_t>>{{100, 10}, {101, 11}, {102, 12}});
}

TEST_CASE("ConstantRateQueue repeats a frame over a gap and fills the chunk's end") {
  auto out = Run(0, 5, {{1, 0}, {2, 2}});
  CHECK(out == std::vector<std::pair<int64_t, int64_t>>{{1, 0}, {1, 1}, {2, 2}, {2, 3}, {2, 4}});
}

TEST_CASE("ConstantRateQueue drops a frame whose slot is taken and frames past the end") {
  auto out = Run(0, 2, {{1, 0}, {2, 0}, {3, 1}, {4, 2}});
  CHECK(out == std::vector<std::pair<int64_t, int64_t>>{{1, 0}, {3, 1}});
}

TEST_CASE("ConstantRateQueue starts a late first frame at the chunk's first slot") {
  auto out = Run(5, 7, {{9, 6}});
  CHECK(out == std::vector<std::pair<int64_t, int64_t>>{{9, 5}, {9, 6}});
}

}  // namespace vodctl
