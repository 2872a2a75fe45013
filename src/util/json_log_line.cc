#include "util/json_log_line.h"

#include <fmt/chrono.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <chrono>
#include <ctime>

namespace vodctl::log {
namespace {

std::string IsoTime(int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", utc, unix_ms % 1000);
}

}  // namespace

std::string JsonLogLine(int64_t unix_ms, std::string_view level, std::string_view message) {
  nlohmann::json line = {{"time", IsoTime(unix_ms)}, {"level", level}, {"message", message}};
  constexpr std::string_view kJob = "job '";
  if (size_t start = message.find(kJob); start != std::string_view::npos) {
    start += kJob.size();
    if (size_t end = message.find('\'', start); end != std::string_view::npos) {
      line["job"] = message.substr(start, end - start);
      constexpr std::string_view kChunk = "' chunk ";
      if (message.substr(end).starts_with(kChunk)) {
        const std::string_view digits = message.substr(end + kChunk.size());
        int chunk = 0;
        const auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), chunk);
        if (parsed.ec == std::errc() && parsed.ptr != digits.data()) line["chunk"] = chunk;
      }
    }
  }
  // Bytes that are not UTF-8 (a file name) are replaced rather than failing the log line.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace vodctl::log
