// Reads master and media playlists back (RFC 8216): the subset vodctl writes and that common
// packagers write for VOD. Unknown tags are skipped, as RFC 8216 6.3.1 tells clients to do, so
// a playlist with extra tags (I-frame variants, session data) still parses.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vodctl/playlist.h"

namespace vodctl::hls {

struct ParsedSegment {
  std::string uri;
  double duration = 0;
  // Half a unit of the EXTINF's last written decimal: the true duration lies within this.
  double duration_rounding = 0;
};

struct ParsedMediaPlaylist {
  std::optional<std::string> init_uri;  // EXT-X-MAP
  int64_t target_duration = 0;
  bool has_endlist = false;
  std::vector<ParsedSegment> segments;
};

// Error(kDataError, "line N: ...") when the text is not a playlist of that kind.
MasterPlaylist ParseMasterPlaylist(std::string_view text);
ParsedMediaPlaylist ParseMediaPlaylist(std::string_view text);

// An attribute list (RFC 8216 4.2): quoted values lose their quotes and keep their commas.
std::map<std::string, std::string> ParseAttributes(std::string_view text);

}  // namespace vodctl::hls
