// HLS playlist model and writers (RFC 8216). Pure functions of their inputs: no clock, no
// host, no job ID, so the same media always gives the same playlist bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vodctl::hls {

// EXT-X-BYTERANGE: the part of a file a segment is.
struct ByteRange {
  int64_t length = 0;
  int64_t offset = 0;
  bool operator==(const ByteRange&) const = default;
};

struct MediaSegment {
  // A constructor rather than an aggregate, so {uri, duration} needs no byte range.
  MediaSegment(std::string uri_, double duration_, std::optional<ByteRange> byte_range_ = std::nullopt)
      : uri(std::move(uri_)), duration(duration_), byte_range(byte_range_) {}

  std::string uri;
  double duration = 0;  // seconds
  std::optional<ByteRange> byte_range;  // unset: the whole file
};

// A VOD media playlist: EXT-X-PLAYLIST-TYPE:VOD, EXT-X-ENDLIST, EXT-X-TARGETDURATION the
// ceiling of the longest segment (rounded to the nearest integer as RFC 8216 4.3.3.1 allows
// no segment to exceed it), EXT-X-MAP when init_uri is set (fMP4), EXT-X-VERSION 7 for
// fMP4 and 3 for TS (4 for TS I-frame playlists), EXT-X-INDEPENDENT-SEGMENTS.
// An I-frame playlist (EXT-X-I-FRAMES-ONLY) has one segment per key frame: a byte range of a
// media segment holding that frame alone, lasting until the next key frame.
struct MediaPlaylist {
  std::optional<std::string> init_uri;
  std::vector<MediaSegment> segments;
  bool iframes_only = false;
};
std::string RenderMediaPlaylist(const MediaPlaylist& playlist);

struct AudioRendition {
  std::string group_id;  // "audio"
  std::string name;      // "Audio"
  std::string language;  // BCP 47 ("en"); empty when unknown: no LANGUAGE
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
  std::string video_range;        // "SDR", "PQ" or "HLG"; empty: no VIDEO-RANGE attribute
};

// An EXT-X-I-FRAME-STREAM-INF: the I-frame playlist of one variant, for trick play.
struct IFrameStream {
  std::string uri;
  int64_t bandwidth = 0;          // peak bits/s over the key frames, each over its EXTINF
  int64_t average_bandwidth = 0;  // 0: left out
  std::string codecs;             // the video codec only: "avc1.64001f"
  int width = 0;
  int height = 0;
};

// A master playlist with EXT-X-INDEPENDENT-SEGMENTS, EXT-X-MEDIA for each audio rendition,
// EXT-X-STREAM-INF for each variant in the given order, then EXT-X-I-FRAME-STREAM-INF for each
// I-frame stream. `version` as for media playlists.
struct MasterPlaylist {
  int version = 7;
  std::vector<AudioRendition> audio;
  std::vector<VariantStream> variants;
  std::vector<IFrameStream> iframe_streams;
};
std::string RenderMasterPlaylist(const MasterPlaylist& playlist);

// RFC 6381 codec string for H.264 ("avc1.PPCCLL") from the stream's extradata: an
// AVCDecoderConfigurationRecord (avcC) or Annex B with an SPS. Empty when neither is found.
std::string AvcCodecString(const uint8_t* extradata, size_t size);

// Formats EXT-X-STREAM-INF / EXTINF decimals deterministically ("%.3f", trailing zeros kept).
std::string FormatDecimal(double value, int places);

}  // namespace vodctl::hls
