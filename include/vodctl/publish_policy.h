// How the objects of an output are published for a CDN in front of it: the caching each kind
// of object is told to get, and whether playlists are stored compressed.
#pragma once

#include <string>
#include <string_view>

namespace vodctl {

// What an output object is to a cache. A media object's name carries the job's publish tag,
// so its bytes never change under its name and it may be cached for good; a playlist keeps
// its fixed name across re-publishing and must be fetched again soon.
enum class ObjectKind {
  kMedia,     // segments, init segments, sprite sheets
  kPlaylist,  // .m3u8, .mpd, the result document, the thumbnail index (any other name)
};

// By the key's file name: .m4s, .ts, .mp4, .jpg and subtitle segments (seg_*.vtt) are media.
ObjectKind ObjectKindOf(std::string_view key);

struct PublishPolicy {
  // Cache-Control of each kind of object; empty: none is sent.
  std::string cache_control_media = kDefaultMediaCacheControl;
  std::string cache_control_playlists = kDefaultPlaylistCacheControl;
  // Playlists and manifests (.m3u8, .mpd) stored gzip-compressed, with
  // Content-Encoding: gzip on S3 (Apple's HLS authoring spec, 10.1); beside a local one, a
  // NAME.gz twin for a web server's gzip_static.
  bool compress_playlists = false;

  bool operator==(const PublishPolicy&) const = default;
  const std::string& CacheControlFor(std::string_view key) const;
  // Whether `key` is stored compressed under this policy.
  bool Compresses(std::string_view key) const { return compress_playlists && Compressible(key); }
  // Whether `key` is of a kind the option compresses: a playlist or manifest.
  static bool Compressible(std::string_view key);

  // A year, the most RFC 9111 caches are asked to keep anything; `immutable` (RFC 8246) spares
  // the revalidations a reload would make.
  static constexpr const char* kDefaultMediaCacheControl = "public, max-age=31536000, immutable";
  // A re-published job's playlists are seen within a minute without a purge.
  static constexpr const char* kDefaultPlaylistCacheControl = "public, max-age=60";
};

}  // namespace vodctl
