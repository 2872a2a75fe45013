#include "media/decode_time_filler.h"

#include <catch2/catch.hpp>

#include <vector>

namespace vodctl::media {
namespace {

constexpr int64_t kNone = AV_NOPTS_VALUE;

std::vector<int64_t> FillDts(const std::vector<std::pair<int64_t, int64_t>>& pts_dts) {
  DecodeTimeFiller filler;
  std::vector<int64_t> out;
  auto drain = [&]() {
    while (PacketPtr p = filler.Pop()) out.push_back(p->dts);
  };
  for (auto [pts, dts] : pts_dts) {
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

TEST_CASE("DecodeTimeFiller counts back the decode times NUT leaves out") {
  // x264 with B-pyramid, frames 2048 ticks apart: pts I0 P4 B2 b1 b3, dts known from the third.
  auto dts = FillDts({{0, kNone}, {8192, kNone}, {4096, 0}, {2048, 2048}, {6144, 4096}});
  CHECK(dts == std::vector<int64_t>{-4096, -2048, 0, 2048, 4096});
}

TEST_CASE("DecodeTimeFiller passes complete decode times through") {
  auto dts = FillDts({{0, 0}, {1024, 1024}, {2048, 2048}});
  CHECK(dts == std::vector<int64_t>{0, 1024, 2048});
}

TEST_CASE("DecodeTimeFiller handles a stream too short to show two decode times") {
  auto dts = FillDts({{0, kNone}, {2, kNone}, {1, 0}});
  CHECK(dts == std::vector<int64_t>{-2, -1, 0});
  auto none_known = FillDts({{0, kNone}, {1, kNone}});
  CHECK(none_known == std::vector<int64_t>{-2, -1});
}

}  // namespace vodctl::media
