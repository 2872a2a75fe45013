// The HLS playlist parser `vodctl verify` reads master and media playlists with.
#include <string_view>

#include "fuzz_input.h"
#include "hls/playlist_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  vodctl::fuzz::Refusable([&] { vodctl::hls::ParseMasterPlaylist(text); });
  vodctl::fuzz::Refusable([&] { vodctl::hls::ParseMediaPlaylist(text); });
  vodctl::fuzz::Refusable([&] { vodctl::hls::ParseAttributes(text); });
  return 0;
}
