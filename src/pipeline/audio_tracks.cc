#include "pipeline/audio_tracks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace vodctl {
namespace {

constexpr char kUnknownLanguage[] = "und";

// A language tag that can name a folder and stand in a playlist attribute: letters, digits
// and '-' only (ISO 639 codes and BCP 47 tags are). It comes from the source, so it must also
// start with a letter (as real tags do: "2" would make "audio-2", another track's folder) and
// be short enough for a file name (BCP 47 tags fit in 35).
bool UsableLanguage(const std::string& language) {
  constexpr size_t kMaxLength = 35;
  return !language.empty() && language.size() <= kMaxLength && language != kUnknownLanguage &&
         std::isalpha(static_cast<unsigned char>(language.front())) &&
         std::all_of(language.begin(), language.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '-'; });
}

// A title that fits in a quoted playlist attribute (no quotes, no line breaks).
bool UsableTitle(const std::string& title) {
  return !title.empty() && title.find_first_of("\"\r\n") == std::string::npos;
}

}  // namespace

std::vector<AudioTrack> AudioTracks(const SourceInfo& source) {
  std::vector<const AudioInfo*> streams;
  if (source.audio) streams.push_back(&*source.audio);
  for (const AudioInfo& more : source.more_audio) streams.push_back(&more);

  std::vector<AudioTrack> tracks;
  for (size_t i = 0; i < streams.size(); ++i) {
    const AudioInfo& audio = *streams[i];
    const bool has_language = UsableLanguage(audio.language);
    const bool unique_language =
        has_language && std::count_if(streams.begin(), streams.end(), [&](const AudioInfo* other) {
                          return other->language == audio.language;
                        }) == 1;
    AudioTrack track;
    track.index = static_cast<int>(i);
    track.language = has_language ? audio.language : kUnknownLanguage;
    // The first keeps the folder a source with one audio stream has always had.
    track.folder = i == 0 ? "audio"
                   : unique_language ? fmt::format("audio-{}", audio.language)
                                     : fmt::format("audio-{}", i + 1);
    track.name = UsableTitle(audio.title) ? audio.title
                 : has_language            ? audio.language
                                           : fmt::format("Audio {}", i + 1);
    tracks.push_back(track);
  }
  return tracks;
}

}  // namespace vodctl
