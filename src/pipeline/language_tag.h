// Language tags as playlists and manifests need them: RFC 8216 (LANGUAGE) and DASH (@lang)
// take BCP 47 (RFC 5646), while sources tag their streams with ISO 639-2 codes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vodctl {

// Whether `tag` matches RFC 5646's grammar (2.1: langtag, private use or a grandfathered
// tag), in any case. Well-formed is not registered: "qaa" and "en-ZZ" are well-formed.
bool WellFormedLanguageTag(std::string_view tag);

// The BCP 47 tag of a source's language tag, in its shortest form: a primary language subtag
// from ISO 639-2 that has an ISO 639-1 code becomes that code ("eng" -> "en", "fre-CA" ->
// "fr-CA"); any other well-formed tag stays as given ("haw", "pt-BR"). Empty when the language
// is unknown: empty, "und" or not a well-formed tag.
std::string PlaylistLanguage(std::string_view source_tag);

// The English name of a tag's primary language ("fr-CA" -> "French"), when ISO 639 has one
// with an ISO 639-1 code.
std::optional<std::string_view> LanguageName(std::string_view tag);

}  // namespace vodctl
