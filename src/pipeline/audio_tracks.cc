#include "pipeline/audio_tracks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "pipeline/language_tag.h"

namespace vodctl {
namespace {

constexpr char kUnknownLanguage[] = "und";

// A language tag that can name a folder: letters, digits and '-' only (ISO 639 codes and
// BCP 47 tags are). It comes from the source, so it must also
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

// RFC 8216 4.3.4.1.1: no two renditions of a group may share a NAME. A name taken already
// gets the lowest number that makes it unique: "English", "English 2".
void MakeNamesUnique(std::vector<AudioTrack>& tracks) {
  std::set<std::string> taken;
  for (AudioTrack& track : tracks) {
    std::string name = track.name;
    for (int n = 2; taken.count(name); ++n) name = fmt::format("{} {}", track.name, n);
    track.name = name;
    taken.insert(name);
  }
}

}  // namespace

std::vector<AudioTrack> AudioTracks(const SourceInfo& source, bool surround) {
  std::vector<const AudioInfo*> streams;
  if (source.audio) streams.push_back(&*source.audio);
  for (const AudioInfo& more : source.more_audio) streams.push_back(&more);

  std::vector<AudioTrack> tracks;
  for (size_t i = 0; i < streams.size(); ++i) {
    const AudioInfo& audio = *streams[i];
    const bool has_folder_language = UsableLanguage(audio.language);
    const bool unique_language =
        has_folder_language && std::count_if(streams.begin(), streams.end(), [&](const AudioInfo* other) {
                          return other->language == audio.language;
                        }) == 1;
    AudioTrack track;
    track.index = static_cast<int>(tracks.size());
    track.source_index = static_cast<int>(i);
    track.bit_rate = kStereoBitRate;
    track.language = PlaylistLanguage(audio.language);
    // The first keeps the folder a source with one audio stream has always had. The others
    // keep the source's own tag ("audio-fra", not "audio-fr"), as they always have, so a job
    // published again keeps its URIs.
    track.folder = i == 0 ? "audio"
                   : unique_language ? fmt::format("audio-{}", audio.language)
                                     : fmt::format("audio-{}", i + 1);
    const std::optional<std::string_view> language_name = LanguageName(track.language);
    track.name = UsableTitle(audio.title) ? audio.title
                 : language_name          ? std::string(*language_name)
                 : !track.language.empty() ? track.language
                                           : fmt::format("Audio {}", i + 1);
    tracks.push_back(track);
    if (surround && audio.channels > 2) {
      AudioTrack multichannel = track;
      multichannel.index = static_cast<int>(tracks.size());
      multichannel.channels = 6;
      multichannel.bit_rate = kSurroundBitRate;
      multichannel.folder = track.folder + "-5.1";
      multichannel.name = track.name + " 5.1";
      tracks.push_back(multichannel);
    }
  }
  MakeNamesUnique(tracks);
  return tracks;
}

}  // namespace vodctl
