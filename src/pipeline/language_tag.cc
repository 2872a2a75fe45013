#include "pipeline/language_tag.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <ranges>
#include <vector>

#include "pipeline/iso639.h"

namespace vodctl {
namespace {

// RFC 5646 2.2.8: the irregular grandfathered tags, which the langtag grammar does not match
// (the regular ones, "zh-min-nan" and the like, it does).
constexpr std::array<std::string_view, 17> kIrregularTags = {
    "en-gb-oed", "i-ami", "i-bnn",     "i-default", "i-enochian", "i-hak",
    "i-klingon", "i-lux", "i-mingo",   "i-navajo",  "i-pwn",      "i-tao",
    "i-tay",     "i-tsu", "sgn-be-fr", "sgn-be-nl", "sgn-ch-de"};

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

template <typename Predicate>
bool All(std::string_view subtag, Predicate predicate) {
  return std::all_of(subtag.begin(), subtag.end(),
                     [&](char c) { return predicate(static_cast<unsigned char>(c)); });
}
bool Alpha(std::string_view s, size_t min, size_t max) {
  return s.size() >= min && s.size() <= max &&
         All(s, [](unsigned char c) { return std::isalpha(c); });
}
bool Digits(std::string_view s, size_t count) {
  return s.size() == count && All(s, [](unsigned char c) { return std::isdigit(c); });
}
bool Alphanum(std::string_view s, size_t min, size_t max) {
  return s.size() >= min && s.size() <= max &&
         All(s, [](unsigned char c) { return std::isalnum(c); });
}

// Reads the subtags of a langtag in the grammar's order; each step consumes what it matches.
class SubtagReader {
 public:
  explicit SubtagReader(std::string_view tag) {
    for (const auto piece : std::views::split(tag, '-')) {
      subtags_.emplace_back(piece.begin(), piece.end());
    }
  }

  bool LangTag() {
    if (Next() == "x") return PrivateUse();
    const std::string_view language = Next();
    if (!Alpha(language, 2, 8)) return false;
    ++at_;
    if (language.size() <= 3) {
      for (int extlang = 0; extlang < 3 && Alpha(Next(), 3, 3); ++extlang) ++at_;
    }
    if (Alpha(Next(), 4, 4)) ++at_;                       // script
    if (Alpha(Next(), 2, 2) || Digits(Next(), 3)) ++at_;  // region
    while (Variant(Next())) ++at_;
    while (Next().size() == 1 && Next() != "x" && Alphanum(Next(), 1, 1)) {  // extension
      ++at_;
      if (!Alphanum(Next(), 2, 8)) return false;
      while (Alphanum(Next(), 2, 8)) ++at_;
    }
    if (Next() == "x") return PrivateUse();
    return at_ == subtags_.size();
  }

 private:
  std::string_view Next() const {
    return at_ < subtags_.size() ? subtags_[at_] : std::string_view();
  }

  static bool Variant(std::string_view s) {
    return Alphanum(s, 5, 8) ||
           (s.size() == 4 && std::isdigit(static_cast<unsigned char>(s[0])) && Alphanum(s, 4, 4));
  }

  // "x" 1*("-" (1*8alphanum)), to the end of the tag.
  bool PrivateUse() {
    ++at_;
    if (at_ == subtags_.size()) return false;
    for (; at_ < subtags_.size(); ++at_) {
      if (!Alphanum(subtags_[at_], 1, 8)) return false;
    }
    return true;
  }

  std::vector<std::string_view> subtags_;
  size_t at_ = 0;
};

std::string_view PrimarySubtag(std::string_view tag) { return tag.substr(0, tag.find('-')); }

}  // namespace

bool WellFormedLanguageTag(std::string_view tag) {
  const std::string lower = Lower(tag);
  if (std::find(kIrregularTags.begin(), kIrregularTags.end(), lower) != kIrregularTags.end()) {
    return true;
  }
  return SubtagReader(lower).LangTag();
}

std::string PlaylistLanguage(std::string_view source_tag) {
  if (!WellFormedLanguageTag(source_tag) || Lower(source_tag) == "und") return "";
  const std::string_view primary = PrimarySubtag(source_tag);
  if (primary.size() == 3) {
    if (std::optional<Iso639Language> language = FindIso639Language(primary)) {
      return std::string(language->alpha2) + std::string(source_tag.substr(primary.size()));
    }
  }
  return std::string(source_tag);
}

std::optional<std::string_view> LanguageName(std::string_view tag) {
  if (std::optional<Iso639Language> language = FindIso639Language(PrimarySubtag(tag))) {
    return language->name;
  }
  return std::nullopt;
}

}  // namespace vodctl
