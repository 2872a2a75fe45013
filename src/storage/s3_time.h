// The two ways S3 writes times: HTTP's Date header and the ISO 8601 of its XML documents.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace vodctl {

using S3Time = std::chrono::system_clock::time_point;

// "Mon, 07 Dec 2026 02:22:29 GMT" (RFC 7231's IMF-fixdate); nullopt for anything else.
std::optional<S3Time> ParseHttpDate(std::string_view text);

// "2026-12-07T02:22:29.123Z", the fraction optional; nullopt for anything else.
std::optional<S3Time> ParseIso8601(std::string_view text);

}  // namespace vodctl
