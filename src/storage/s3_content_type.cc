#include "storage/s3_content_type.h"

#include <utility>

namespace vodctl {

std::string ContentTypeFor(std::string_view key) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".m3u8", "application/vnd.apple.mpegurl"},
      {".m4s", "video/iso.segment"},
      {".mp4", "video/mp4"},
      {".ts", "video/mp2t"},
      {".mpd", "application/dash+xml"},
      {".vtt", "text/vtt"},
      {".jpg", "image/jpeg"},
      {".json", "application/json"},
  };
  for (const auto& [extension, type] : kTypes) {
    if (key.ends_with(extension)) return std::string(type);
  }
  return "application/octet-stream";
}

}  // namespace vodctl
