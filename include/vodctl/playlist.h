// HLS playlist model and writers (RFC 8216). Pure functions of their inputs: no clock, no
// host, no job ID, so the same media always gives the same playlist bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vodctl::hls {

struct MediaSegment {
  std::string uri;
  double duration = 0;  // seconds
};

// A VOD media playlist: EXT-X-PLAYLIST-TYPE:VOD, EXT-X-ENDLIST, EXT-X-TARGETDURATION the
// ceiling of the longest segment (rounded to the nearest integer as RFC 8216 4.3.3.1 allows
// no segment to exceed it), EXT-X-MAP when init_uri is set (fMP4), EXT-X-VERSION 7 for
// fMP4 and 3 for TS, EXT-X-INDEPENDENT-SEGMENTS.
struct MediaPlaylist {
  std::optional<std::string> init_uri;
  std::vector<MediaSegment> segments;
};
std::string RenderMediaPlaylist(const MediaPlaylist& playlist);

struct AudioRendition {
  std::string group_id;  // "audio"
  std::string name;      // "Audio"
  std::string language;  // "und" when unknown; omitted when empty
  int channels = 2;
  std::string uri;
};

struct VariantStream {
  std::string uri;
  int64_t bandwidth = 0;          // peak bits/s over segments, audio included
  int64_t average_bandwidth = 0;  // bits/s over the whole presentation, audio included
  std::string codecs;             // "avc1.64001f,mp4a.40.2"
  int width = 0;
  int height = 0;
  double frame_rate = 0;          // written with three decimals
  std::string audio_group;        // empty: no AUDIO attribute
};

// A master playlist with EXT-X-INDEPENDENT-SEGMENTS, EXT-X-MEDIA for each audio rendition and
// EXT-X-STREAM-INF for each variant in the given order. `version` as for media playlists.
struct MasterPlaylist {
  int version = 7;
  std::vector<AudioRendition> audio;
  std::vector<VariantStream> variants;
};
std::string RenderMasterPlaylist(const MasterPlaylist& playlist);

// RFC 6381 codec string for H.264 ("avc1.PPCCLL") from the stream's extradata: an
// AVCDecoderConfigurationRecord (avcC) or Annex B with an SPS. Empty when neither is found.
std::string AvcCodecString(const uint8_t* extradata, size_t size);

// Formats EXT-X-STREAM-INF / EXTINF decimals deterministically ("%.3f", trailing zeros kept).
std::string FormatDecimal(double value, int places);

}  // namespace vodctl::hls
