// Where thumbnails sit in their sprite sheets and the WebVTT track that points at them
// (the layout players such as JW Player and Video.js's thumbnail plugins read: one cue per
// thumbnail, its payload "sprite_00000.jpg#xywh=X,Y,W,H"). Pure functions, no FFmpeg.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vodctl {

struct ThumbnailLayout {
  static constexpr int kTileWidth = 160;
  static constexpr int kColumns = 10;
  static constexpr int kRows = 10;

  // Tiles kTileWidth wide, as tall as the picture's aspect makes them (even, at least 2).
  ThumbnailLayout(int picture_width, int picture_height, int thumbnails);

  // Sheets are "<sheet_stem>_00000.jpg" and on (the stem carries the publish tag).
  std::string sheet_stem = "sprite";
  int tile_width = kTileWidth;
  int tile_height = 0;
  int thumbnails = 0;

  int sheets() const;
  // Columns and rows of a sheet: full ones are kColumns x kRows, the last only as big as
  // its thumbnails need.
  int ColumnsOf(int sheet) const;
  int RowsOf(int sheet) const;
  int SheetOf(int thumbnail) const { return thumbnail / (kColumns * kRows); }
  int XOf(int thumbnail) const;  // pixels, in its sheet
  int YOf(int thumbnail) const;
  std::string SheetName(int sheet) const;  // "sprite_00000.jpg"
};

// A thumbnail's cue, in milliseconds from the presentation's start.
struct ThumbnailCue {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
};

// WEBVTT with one cue per thumbnail, cue i showing thumbnail i of `layout`.
std::string RenderThumbnailVtt(const ThumbnailLayout& layout, const std::vector<ThumbnailCue>& cues);

}  // namespace vodctl
