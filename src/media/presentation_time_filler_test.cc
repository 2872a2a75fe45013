#include "media/presentation_time_filler.h"

#include <catch2/catch.hpp>

#include <utility>
#include <vector>

namespace vodctl::media {
namespace {

constexpr int64_t kNone = AV_NOPTS_VALUE;

// (pts, dts) in decode order -> (pts, dts) as they come out.
std::vector<std::pair<int64_t, int64_t>> Fill(const std::vector<std::pair<int64_t, int64_t>>& in) {
  PresentationTimeFiller filler;
  std::vector<std::pair<int64_t, int64_t>> out;
  auto drain = [&]() {
    while (PacketPtr p = filler.Pop()) out.emplace_back(p->pts, p->dts);
  };
  for (auto [pts, dts] : in) {
    PacketPtr packet = MakePacket();
    packet->pts = pts;
    packet->dts = dts;
    filler.Push(std::move(packet));
    drain();
  }
  filler.Finish();
  drain();
  return out;
}

}  // namespace

TEST_CASE("PresentationTimeFiller: an AVI's Xvid with B-frames", "[presentation_time_filler]") {
  // What libavformat gives for ffmpeg -c:v mpeg4 -bf 2 in AVI: I P B B P B B, the B-frames
  // timed, the references not. Shown: I at 1, B at 2 and 3, P at 4, B at 5 and 6, P at 7.
  auto out = Fill({{kNone, 0}, {kNone, 1}, {2, 2}, {3, 3}, {kNone, 4}, {5, 5}, {6, 6}});
  CHECK(out == std::vector<std::pair<int64_t, int64_t>>{
                   {1, 0}, {4, 1}, {2, 2}, {3, 3}, {7, 4}, {5, 5}, {6, 6}});
}

TEST_CASE("PresentationTimeFiller: timed packets pass as they are", "[presentation_time_filler]") {
  auto out = Fill({{0, 0}, {1, 1}, {2, 2}});
  CHECK(out == std::vector<std::pair<int64_t, int64_t>>{{0, 0}, {1, 1}, {2, 2}});
}

TEST_CASE("PresentationTimeFiller: the last reference shows a frame after the last decode",
          "[presentation_time_filler]") {
  auto out = Fill({{kNone, 0}, {1, 1}, {kNone, 2}});
  CHECK(out == std::vector<std::pair<int64_t, int64_t>>{{2, 0}, {1, 1}, {3, 2}});
}

}  // namespace vodctl::media
