#include "pipeline/thumbnail_track.h"

#include "vodctl/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace vodctl {
namespace {

constexpr int kPerSheet = ThumbnailLayout::kColumns * ThumbnailLayout::kRows;

// WebVTT timestamps: hours (two digits at least), minutes, seconds, milliseconds.
std::string VttTime(int64_t ms) {
  return fmt::format("{:02d}:{:02d}:{:02d}.{:03d}", ms / 3'600'000, ms / 60'000 % 60,
                     ms / 1000 % 60, ms % 1000);
}

}  // namespace

ThumbnailLayout::ThumbnailLayout(int picture_width, int picture_height, int count)
    : thumbnails(count) {
  if (picture_width <= 0 || picture_height <= 0) {
    Fail(ExitCode::kSoftware, "thumbnails of a {}x{} picture", picture_width, picture_height);
  }
  const double height = static_cast<double>(kTileWidth) * picture_height / picture_width;
  tile_height = std::max(2, 2 * static_cast<int>(std::lround(height / 2)));
}

int ThumbnailLayout::sheets() const { return (thumbnails + kPerSheet - 1) / kPerSheet; }

int ThumbnailLayout::ColumnsOf(int sheet) const {
  return std::min(kColumns, thumbnails - sheet * kPerSheet);
}

int ThumbnailLayout::RowsOf(int sheet) const {
  const int in_sheet = std::min(kPerSheet, thumbnails - sheet * kPerSheet);
  return (in_sheet + kColumns - 1) / kColumns;
}

int ThumbnailLayout::XOf(int thumbnail) const { return thumbnail % kColumns * tile_width; }

int ThumbnailLayout::YOf(int thumbnail) const {
  return thumbnail % kPerSheet / kColumns * tile_height;
}

std::string ThumbnailLayout::SheetName(int sheet) const {
  return fmt::format("{}_{:05d}.jpg", sheet_stem, sheet);
}

std::string RenderThumbnailVtt(const ThumbnailLayout& layout, const std::vector<ThumbnailCue>& cues) {
  if (static_cast<int>(cues.size()) != layout.thumbnails) {
    Fail(ExitCode::kSoftware, "{} thumbnail cues for {} thumbnails", cues.size(), layout.thumbnails);
  }
  std::string out = "WEBVTT\n";
  auto line = std::back_inserter(out);
  for (int i = 0; i < layout.thumbnails; ++i) {
    const ThumbnailCue& cue = cues[i];
    if (cue.start_ms < 0 || cue.end_ms <= cue.start_ms) {
      Fail(ExitCode::kSoftware, "thumbnail cue {} from {} to {} ms", i, cue.start_ms, cue.end_ms);
    }
    fmt::format_to(line, "\n{} --> {}\n{}#xywh={},{},{},{}\n", VttTime(cue.start_ms),
                   VttTime(cue.end_ms), layout.SheetName(layout.SheetOf(i)),
                   layout.XOf(i), layout.YOf(i), layout.tile_width, layout.tile_height);
  }
  return out;
}

}  // namespace vodctl
