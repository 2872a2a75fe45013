// gzip (RFC 1952) of whole small documents, through zlib: playlists stored compressed.
#pragma once

#include <string>
#include <string_view>

namespace vodctl {

// The same bytes always give the same stream: no file name and no time in the header.
std::string Gzip(std::string_view bytes);
// Error(kDataError) naming `what` when `compressed` is not one whole gzip stream.
std::string Gunzip(std::string_view compressed, std::string_view what);
// Whether `bytes` start with gzip's magic number.
bool LooksGzipped(std::string_view bytes);

}  // namespace vodctl
