// The audio renditions of a job: one per audio stream of the source, the first the default.
// A pure function of the source metadata, so every step derives the same names.
#pragma once

#include "vodctl/source_info.h"

#include <string>
#include <vector>

namespace vodctl {

struct AudioTrack {
  int index = 0;          // stream index in tmp audio-source and audio.nut
  std::string folder;     // "audio" for the first; "audio-fra" (language) or "audio-2" after
  // EXT-X-MEDIA NAME, unique among the tracks: the title, else the language's English name
  // (else its tag), else "Audio N"; a name taken already gets a number ("English 2").
  std::string name;
  // EXT-X-MEDIA LANGUAGE and DASH @lang: the stream's tag as BCP 47 ("fra" -> "fr"), empty
  // when unknown.
  std::string language;
};

std::vector<AudioTrack> AudioTracks(const SourceInfo& source);

}  // namespace vodctl
