#include "pipeline/picture_filters.h"

#include <catch2/catch.hpp>

#include <utility>
#include <vector>

extern "C" {
#include <libavutil/display.h>
}

namespace vodctl {

TEST_CASE("A display matrix gives the clockwise quarter turn that shows the picture upright") {
  int32_t matrix[9];
  CHECK(RotationFromDisplayMatrix(nullptr) == 0);
  // av_display_rotation_set describes a clockwise turn (av_display_rotation_get reads the
  // same matrix back as a counterclockwise angle, negated).
  for (auto [angle, quarter] :
       std::vector<std::pair<double, int>>{{0, 0}, {90, 90}, {-90, 270}, {180, 180}, {88, 90}}) {
    av_display_rotation_set(matrix, angle);
    CHECK(RotationFromDisplayMatrix(matrix) == quarter);
  }
}

TEST_CASE("Field orders name the field displayed first") {
  CHECK(FieldOrderName(AV_FIELD_TT) == "tff");
  CHECK(FieldOrderName(AV_FIELD_BT) == "tff");
  CHECK(FieldOrderName(AV_FIELD_BB) == "bff");
  CHECK(FieldOrderName(AV_FIELD_TB) == "bff");
  CHECK(FieldOrderName(AV_FIELD_PROGRESSIVE) == "progressive");
  CHECK(FieldOrderName(AV_FIELD_UNKNOWN) == "progressive");
}

TEST_CASE("Pictures are deinterlaced, then turned upright") {
  VideoInfo video;
  CHECK(PictureFilterChain(video).empty());
  video.rotation = 90;
  CHECK(PictureFilterChain(video) == "transpose=clock");
  video.field_order = "bff";
  video.rotation = 180;
  CHECK(PictureFilterChain(video) == "bwdif=mode=send_frame:parity=bff:deint=all,hflip,vflip");
  video.rotation = 270;
  video.field_order = "tff";
  CHECK(PictureFilterChain(video) == "bwdif=mode=send_frame:parity=tff:deint=all,transpose=cclock");
}

TEST_CASE("The colour stage comes after deinterlacing and before the turn") {
  VideoInfo video;
  video.height = 1080;
  video.field_order = "tff";
  video.rotation = 90;
  video.colour.primaries = "bt2020";
  video.colour.transfer = "arib-std-b67";
  video.colour.matrix = "bt2020nc";
  const std::string chain = PictureFilterChain(video);
  CHECK_THAT(chain, Catch::StartsWith("bwdif=mode=send_frame:parity=tff:deint=all,zscale="));
  CHECK_THAT(chain, Catch::Contains(",tonemap=tonemap=mobius:"));
  CHECK_THAT(chain, Catch::EndsWith(",format=yuv420p,transpose=clock"));
  video.colour.transfer = "bt709";
  video.colour.primaries = "bt709";
  video.colour.matrix = "bt709";
  CHECK(PictureFilterChain(video) == "bwdif=mode=send_frame:parity=tff:deint=all,transpose=clock");
}

}  // namespace vodctl
