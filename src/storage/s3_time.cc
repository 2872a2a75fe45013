#include "storage/s3_time.h"

#include <time.h>

#include <cctype>
#include <string>

namespace vodctl {
namespace {

// `text` read by strptime's `format` to its very end, as UTC; the rest after `*rest`.
std::optional<S3Time> ParseUtc(const std::string& text, const char* format, const char** rest) {
  struct tm fields {};
  const char* end = ::strptime(text.c_str(), format, &fields);
  if (end == nullptr) return std::nullopt;
  *rest = end;
  const time_t seconds = ::timegm(&fields);
  if (seconds == static_cast<time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(seconds);
}

}  // namespace

std::optional<S3Time> ParseHttpDate(std::string_view text) {
  const std::string copy(text);
  const char* rest = nullptr;
  std::optional<S3Time> time = ParseUtc(copy, "%a, %d %b %Y %H:%M:%S GMT", &rest);
  if (!time || *rest != '\0') return std::nullopt;
  return time;
}

std::optional<S3Time> ParseIso8601(std::string_view text) {
  const std::string copy(text);
  const char* rest = nullptr;
  std::optional<S3Time> time = ParseUtc(copy, "%Y-%m-%dT%H:%M:%S", &rest);
  if (!time) return std::nullopt;
  std::chrono::microseconds fraction{0};
  if (*rest == '.') {
    ++rest;
    int64_t scale = 1'000'000;
    int64_t value = 0;
    for (; std::isdigit(static_cast<unsigned char>(*rest)); ++rest) {
      if (scale > 1) {
        scale /= 10;
        value += (*rest - '0') * scale;
      }
    }
    fraction = std::chrono::microseconds(value);
  }
  if (rest[0] != 'Z' || rest[1] != '\0') return std::nullopt;
  return *time + fraction;
}

}  // namespace vodctl
