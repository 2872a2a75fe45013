#include "util/json_log_line.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace vodctl::log {
namespace {

TEST_CASE("JsonLogLine writes one JSON object with time, level and message") {
  auto line = nlohmann::json::parse(JsonLogLine(1'767'323'045'678, "info", "hello \"world\"\n"));
  CHECK(line["time"] == "2026-01-02T03:04:05.678Z");
  CHECK(line["level"] == "info");
  CHECK(line["message"] == "hello \"world\"\n");
  CHECK_FALSE(line.contains("job"));
  CHECK(JsonLogLine(0, "info", "x").find('\n') == std::string::npos);
}

TEST_CASE("JsonLogLine adds the job and chunk a message names") {
  auto line = nlohmann::json::parse(JsonLogLine(0, "info", "job 'clip-1a2b' chunk 12: done"));
  CHECK(line["job"] == "clip-1a2b");
  CHECK(line["chunk"] == 12);
  line = nlohmann::json::parse(JsonLogLine(0, "error", "job 'clip-1a2b': split failed"));
  CHECK(line["job"] == "clip-1a2b");
  CHECK_FALSE(line.contains("chunk"));
  // A number no chunk index can be is left out rather than overflowing.
  line = nlohmann::json::parse(JsonLogLine(0, "info", "job 'j' chunk 99999999999: done"));
  CHECK(line["job"] == "j");
  CHECK_FALSE(line.contains("chunk"));
  line = nlohmann::json::parse(JsonLogLine(0, "info", "job 'unterminated"));
  CHECK_FALSE(line.contains("job"));
}

TEST_CASE("JsonLogLine survives bytes that are not UTF-8") {
  CHECK_NOTHROW(nlohmann::json::parse(JsonLogLine(0, "info", "file \xff\xfe.mp4")));
}

}  // namespace
}  // namespace vodctl::log
