// --log-format json: one JSON object per line for log shippers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vodctl::log {

// {"time":"2026-01-02T03:04:05.678Z","level":LEVEL,"message":MESSAGE} plus "job" and "chunk"
// when the message names them the way vodctl's messages do ("job 'ID' chunk N: ..."), so a
// shipper can filter by job without every call site passing them.
std::string JsonLogLine(int64_t unix_ms, std::string_view level, std::string_view message);

}  // namespace vodctl::log
