// The audio renditions of a job: a stereo one per audio stream of the source, the first the
// default, each followed by a 5.1 one when the stream has more than two channels and the job
// asks for surround. A pure function of the source metadata and that option, so every step
// derives the same names.
#pragma once

#include "vodctl/source_info.h"

#include <cstdint>
#include <string>
#include <vector>

namespace vodctl {

struct AudioTrack {
  int index = 0;          // stream index in tmp audio.nut: the rendition's place in the list
  int source_index = 0;   // stream index in tmp audio-source: the source stream it is made of
  int channels = 2;       // 2 (stereo) or 6 (5.1)
  int64_t bit_rate = 0;   // of its AAC encoding, bits per second
  // "audio" for the first; "audio-fra" (language) or "audio-2" after; a 5.1 rendition is its
  // stereo one's folder with "-5.1" ("audio-5.1").
  std::string folder;
  // EXT-X-MEDIA NAME, unique among the tracks: the title, else the language's English name
  // (else its tag), else "Audio N", with " 5.1" for a 5.1 rendition; a name taken already
  // gets a number ("English 2").
  std::string name;
  // EXT-X-MEDIA LANGUAGE and DASH @lang: the stream's tag as BCP 47 ("fra" -> "fr"), empty
  // when unknown.
  std::string language;
};

// AAC-LC rates: Apple's authoring spec's stereo figure, and for 5.1 what keeps each of its
// five full-band channels at about the stereo rate per channel.
inline constexpr int64_t kStereoBitRate = 128000;
inline constexpr int64_t kSurroundBitRate = 320000;

std::vector<AudioTrack> AudioTracks(const SourceInfo& source, bool surround);

}  // namespace vodctl
