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
  std::string name;       // EXT-X-MEDIA NAME: the title, else the language, else "Audio N"
  std::string language;   // EXT-X-MEDIA LANGUAGE: the stream's tag, "und" when unknown
};

std::vector<AudioTrack> AudioTracks(const SourceInfo& source);

}  // namespace vodctl
