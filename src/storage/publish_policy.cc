#include "vodctl/publish_policy.h"

namespace vodctl {
namespace {

std::string_view FileName(std::string_view key) { return key.substr(key.rfind('/') + 1); }

}  // namespace

ObjectKind ObjectKindOf(std::string_view key) {
  const std::string_view name = FileName(key);
  for (const std::string_view extension : {".m4s", ".ts", ".mp4", ".jpg"}) {
    if (name.ends_with(extension)) return ObjectKind::kMedia;
  }
  if (name.starts_with("seg_") && name.ends_with(".vtt")) return ObjectKind::kMedia;
  return ObjectKind::kPlaylist;
}

const std::string& PublishPolicy::CacheControlFor(std::string_view key) const {
  return ObjectKindOf(key) == ObjectKind::kMedia ? cache_control_media : cache_control_playlists;
}

bool PublishPolicy::Compressible(std::string_view key) {
  return key.ends_with(".m3u8") || key.ends_with(".mpd");
}

}  // namespace vodctl
