#include "pipeline/language_tag.h"

#include <catch2/catch.hpp>

#include "pipeline/iso639.h"

namespace vodctl {

TEST_CASE("ISO 639-2 codes with an ISO 639-1 code become it, bibliographic ones too") {
  CHECK(PlaylistLanguage("eng") == "en");
  CHECK(PlaylistLanguage("fra") == "fr");
  CHECK(PlaylistLanguage("fre") == "fr");
  CHECK(PlaylistLanguage("deu") == "de");
  CHECK(PlaylistLanguage("ger") == "de");
  CHECK(PlaylistLanguage("spa") == "es");
  CHECK(PlaylistLanguage("jpn") == "ja");
  CHECK(PlaylistLanguage("zho") == "zh");
  CHECK(PlaylistLanguage("chi") == "zh");
  CHECK(PlaylistLanguage("ENG") == "en");
  CHECK(PlaylistLanguage("fre-CA") == "fr-CA");  // only the primary subtag changes
}

TEST_CASE("Tags already in BCP 47 and codes without a two-letter form stay as given") {
  CHECK(PlaylistLanguage("en") == "en");
  CHECK(PlaylistLanguage("pt-BR") == "pt-BR");
  CHECK(PlaylistLanguage("zh-Hant-TW") == "zh-Hant-TW");
  CHECK(PlaylistLanguage("haw") == "haw");  // Hawaiian: ISO 639-2 only
  CHECK(PlaylistLanguage("qaa") == "qaa");  // reserved for local use, still well-formed
}

TEST_CASE("An unknown or malformed language is no language") {
  CHECK(PlaylistLanguage("") == "");
  CHECK(PlaylistLanguage("und") == "");
  CHECK(PlaylistLanguage("UND") == "");
  CHECK(PlaylistLanguage("en/../x") == "");
  CHECK(PlaylistLanguage("3") == "");
  CHECK(PlaylistLanguage("english language") == "");
}

TEST_CASE("Well-formed BCP 47 follows RFC 5646's grammar") {
  for (const char* tag : {"en", "de-CH", "zh-yue-HK", "sr-Latn-RS", "es-419", "sl-rozaj-biske",
                          "de-CH-1901", "en-US-u-ca-gregory", "x-whatever", "en-x-private",
                          "i-klingon", "zh-min-nan", "en-GB-oed", "eng", "EN-us"}) {
    INFO(tag);
    CHECK(WellFormedLanguageTag(tag));
  }
  for (const char* tag : {"", "e", "en-", "-en", "en--US", "en_US", "123", "toolonglanguage",
                          "en-US-a", "x", "en-x", "de-419-DE", "a-DE", "en-US-u"}) {
    INFO(tag);
    CHECK_FALSE(WellFormedLanguageTag(tag));
  }
}

TEST_CASE("A language's English name comes from its primary subtag") {
  CHECK(LanguageName("en") == "English");
  CHECK(LanguageName("fr-CA") == "French");
  CHECK(LanguageName("ger") == "German");
  CHECK(LanguageName("el") == "Modern Greek");
  CHECK_FALSE(LanguageName("haw").has_value());
  CHECK_FALSE(LanguageName("").has_value());
}

TEST_CASE("Every ISO 639-1 language is found by both its codes") {
  for (const char* pair : {"aar aa", "zul zu", "nld nl", "dut nl", "rum ro", "ron ro", "tib bo"}) {
    const std::string_view codes(pair);
    INFO(pair);
    auto language = FindIso639Language(codes.substr(0, 3));
    REQUIRE(language.has_value());
    CHECK(language->alpha2 == codes.substr(4));
    CHECK(FindIso639Language(language->alpha2).has_value());
  }
}

}  // namespace vodctl
