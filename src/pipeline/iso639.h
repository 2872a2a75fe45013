// ISO 639 language codes: the ISO 639-2 codes that sources tag their streams with (MP4 and
// Matroska carry "eng", "fra", also the bibliographic "fre", "ger") and the ISO 639-1 code
// BCP 47 prefers for each (RFC 5646 2.2.1: the shortest ISO 639 code is the one to use).
#pragma once

#include <optional>
#include <string_view>

namespace vodctl {

struct Iso639Language {
  std::string_view alpha3;  // ISO 639-2, terminology or bibliographic: "fra", "fre"
  std::string_view alpha2;  // ISO 639-1: "fr"
  std::string_view name;    // English: "French"
};

// The language of a two- or three-letter code, in any case; nullopt for a code without an
// ISO 639-1 equivalent ("haw", "und") or no ISO 639 code at all.
std::optional<Iso639Language> FindIso639Language(std::string_view code);

}  // namespace vodctl
