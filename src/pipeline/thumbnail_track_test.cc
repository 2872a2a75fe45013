#include "pipeline/thumbnail_track.h"

#include "vodctl/error.h"

#include <catch2/catch.hpp>

namespace vodctl {
namespace {

TEST_CASE("ThumbnailLayout keeps the picture's aspect in even tiles") {
  CHECK(ThumbnailLayout(640, 360, 1).tile_height == 90);
  CHECK(ThumbnailLayout(1024, 576, 1).tile_height == 90);
  CHECK(ThumbnailLayout(360, 640, 1).tile_height == 284);  // portrait: 284.4
  CHECK(ThumbnailLayout(720, 480, 1).tile_height == 106);  // 106.7 -> 106, even
  CHECK(ThumbnailLayout(4000, 16, 1).tile_height == 2);    // never 0
}

TEST_CASE("ThumbnailLayout fills sheets of 10x10 row by row") {
  const ThumbnailLayout layout(640, 360, 123);
  CHECK(layout.sheets() == 2);
  CHECK(layout.ColumnsOf(0) == 10);
  CHECK(layout.RowsOf(0) == 10);
  CHECK(layout.ColumnsOf(1) == 10);
  CHECK(layout.RowsOf(1) == 3);  // 23 thumbnails
  CHECK((layout.SheetOf(99) == 0 && layout.XOf(99) == 1440 && layout.YOf(99) == 810));
  CHECK((layout.SheetOf(100) == 1 && layout.XOf(100) == 0 && layout.YOf(100) == 0));
  CHECK((layout.SheetOf(122) == 1 && layout.XOf(122) == 320 && layout.YOf(122) == 180));

  const ThumbnailLayout few(640, 360, 4);
  CHECK(few.sheets() == 1);
  CHECK(few.ColumnsOf(0) == 4);
  CHECK(few.RowsOf(0) == 1);
}

TEST_CASE("RenderThumbnailVtt writes a cue per thumbnail") {
  const ThumbnailLayout layout(640, 360, 3);
  CHECK(RenderThumbnailVtt(layout, {{0, 6000}, {6000, 12000}, {12000, 3'725'042}}) ==
        "WEBVTT\n"
        "\n"
        "00:00:00.000 --> 00:00:06.000\n"
        "sprite_00000.jpg#xywh=0,0,160,90\n"
        "\n"
        "00:00:06.000 --> 00:00:12.000\n"
        "sprite_00000.jpg#xywh=160,0,160,90\n"
        "\n"
        "00:00:12.000 --> 01:02:05.042\n"
        "sprite_00000.jpg#xywh=320,0,160,90\n");
}

TEST_CASE("RenderThumbnailVtt refuses cues that do not fit") {
  const ThumbnailLayout layout(640, 360, 1);
  CHECK_THROWS_AS(RenderThumbnailVtt(layout, {}), Error);
  CHECK_THROWS_AS(RenderThumbnailVtt(layout, {{5, 5}}), Error);
  CHECK_THROWS_AS(RenderThumbnailVtt(layout, {{-1, 5}}), Error);
}

}  // namespace
}  // namespace vodctl
