#include "pipeline/audio_tracks.h"

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

namespace vodctl {
namespace {

AudioInfo Audio(std::string language, std::string title = "", int channels = 2) {
  AudioInfo audio;
  audio.language = std::move(language);
  audio.title = std::move(title);
  audio.channels = channels;
  return audio;
}

}  // namespace

TEST_CASE("A source without audio has no audio track") {
  CHECK(AudioTracks(SourceInfo{}, true).empty());
}

TEST_CASE("The first audio stream keeps the audio folder; the others are named by language") {
  SourceInfo source;
  source.audio = Audio("eng", "English");
  source.more_audio = {Audio("fra", "Français"), Audio("und"), Audio("ger"), Audio("ger")};
  auto tracks = AudioTracks(source, true);
  REQUIRE(tracks.size() == 5);
  CHECK(tracks[0].folder == "audio");
  CHECK(tracks[0].name == "English");
  CHECK(tracks[0].language == "en");
  CHECK(tracks[1].folder == "audio-fra");  // the source's tag, as folders have always been
  CHECK(tracks[1].name == "Français");
  CHECK(tracks[1].language == "fr");
  CHECK(tracks[2].folder == "audio-3");  // unknown language: by position
  CHECK(tracks[2].name == "Audio 3");
  CHECK(tracks[2].language == "");
  CHECK(tracks[3].folder == "audio-4");  // a language twice: by position
  CHECK(tracks[3].name == "German");
  CHECK(tracks[3].language == "de");
  CHECK(tracks[4].name == "German 2");
  CHECK(tracks[4].index == 4);
}

TEST_CASE("No two tracks share a name, whether it comes from a title or a language") {
  SourceInfo source;
  source.audio = Audio("eng");
  source.more_audio = {Audio("en"), Audio("fra", "Commentary"), Audio("ger", "Commentary"),
                       Audio("spa", "English 2"), Audio("eng"), Audio("haw"), Audio("haw")};
  auto tracks = AudioTracks(source, true);
  std::vector<std::string> names;
  for (const AudioTrack& track : tracks) names.push_back(track.name);
  CHECK(names == std::vector<std::string>{"English", "English 2", "Commentary", "Commentary 2",
                                          "English 2 2", "English 3", "haw", "haw 2"});
}

TEST_CASE("Tags that cannot stand in a playlist are not used") {
  SourceInfo source;
  source.audio = Audio("en/../x", "say \"hi\"");
  auto tracks = AudioTracks(source, true);
  CHECK(tracks[0].language == "");
  CHECK(tracks[0].name == "Audio 1");
}

TEST_CASE("A language from the source cannot steer a track into another's folder") {
  SourceInfo source;
  source.audio = Audio("eng");
  // "3" would name the folder audio-3, which the fourth track (no language) gets by position.
  source.more_audio = {Audio("fra"), Audio("3"), Audio(""), Audio(std::string(200, 'a')),
                       Audio("/etc"), Audio("..")};
  std::set<std::string> folders;
  for (const AudioTrack& track : AudioTracks(source, true)) {
    CHECK(folders.insert(track.folder).second);
    CHECK(track.folder.size() <= 64);
    CHECK(track.folder.find_first_of("/.") == std::string::npos);
  }
  auto tracks = AudioTracks(source, true);
  CHECK(tracks[1].folder == "audio-fra");
  CHECK(tracks[2].folder == "audio-3");
  CHECK(tracks[2].language == "");
  CHECK(tracks[3].folder == "audio-4");
  CHECK(tracks[4].folder == "audio-5");
}

TEST_CASE("A stream with more than two channels gets a 5.1 rendition after its stereo one") {
  SourceInfo source;
  source.audio = Audio("eng", "", 6);
  source.more_audio = {Audio("fra"), Audio("ger", "", 8)};
  auto tracks = AudioTracks(source, true);
  REQUIRE(tracks.size() == 5);
  std::vector<std::string> folders;
  for (const AudioTrack& track : tracks) folders.push_back(track.folder);
  CHECK(folders == std::vector<std::string>{"audio", "audio-5.1", "audio-fra", "audio-ger",
                                            "audio-ger-5.1"});
  CHECK(tracks[1].name == "English 5.1");
  CHECK(tracks[1].language == "en");
  CHECK(tracks[1].channels == 6);
  CHECK(tracks[1].bit_rate == kSurroundBitRate);
  CHECK(tracks[0].channels == 2);
  CHECK(tracks[0].bit_rate == kStereoBitRate);
  // Stream indexes: renditions in audio.nut in order, each made of its source stream.
  for (size_t i = 0; i < tracks.size(); ++i) CHECK(tracks[i].index == static_cast<int>(i));
  CHECK(tracks[1].source_index == 0);
  CHECK(tracks[2].source_index == 1);
  CHECK(tracks[4].source_index == 2);
}

TEST_CASE("Without surround every stream gets its stereo rendition only") {
  SourceInfo source;
  source.audio = Audio("eng", "", 6);
  auto tracks = AudioTracks(source, false);
  REQUIRE(tracks.size() == 1);
  CHECK(tracks[0].channels == 2);
}

}  // namespace vodctl
