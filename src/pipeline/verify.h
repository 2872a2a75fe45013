// `vodctl verify`: checks an HLS presentation by itself, from its files alone: playlists
// parse, every file they name exists, video segments start with an IDR, segment boundaries
// align across variants, BANDWIDTH covers the measured peak, EXTINF durations match the media.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/verify_checks.h"
#include "vodctl/storage.h"

namespace vodctl {

constexpr char kMasterPlaylistKey[] = "master.m3u8";

struct VerifyReport {
  std::vector<Violation> violations;
  int playlists = 0;
  int segments = 0;
};

// Checks the presentation whose master playlist is master.m3u8 in `output`. Reads every
// segment once. Storage errors are thrown as they come (I/O, unavailable).
VerifyReport VerifyHls(Storage& output);
// The same with the master playlist's text given, for a master not published yet.
VerifyReport VerifyHls(Storage& output, std::string_view master_text);

// Error(kSoftware) when `report` has violations: vodctl's own output failing its checks is a
// bug. The message names the first violation; `what` says whose output it is.
void RequireNoViolations(const VerifyReport& report, std::string_view what);

}  // namespace vodctl
