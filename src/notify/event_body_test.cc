#include "notify/event_body.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <set>

namespace vodctl::notify {

TEST_CASE("NewEventId gives a different evt_ ID every time") {
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.insert(NewEventId());
  CHECK(ids.size() == 100);
  CHECK(ids.begin()->size() == 4 + 32);
  CHECK(ids.begin()->starts_with("evt_"));
}

TEST_CASE("EventBody carries the ID, type, sequence, seconds, job and data") {
  const auto body = nlohmann::json::parse(
      EventBody("evt_1", "job.progress", 3, 1733550000123, "job-a", {{"percent", 50}}));
  CHECK(body == nlohmann::json{{"id", "evt_1"},
                               {"type", "job.progress"},
                               {"sequence", 3},
                               {"created", 1733550000},
                               {"job", {{"id", "job-a"}}},
                               {"data", {{"percent", 50}}}});
}

TEST_CASE("RetryMayHelp for interruptions, unreachable services and I/O, not for bad sources") {
  CHECK(RetryMayHelp(75));
  CHECK(RetryMayHelp(69));
  CHECK(RetryMayHelp(74));
  CHECK_FALSE(RetryMayHelp(65));
  CHECK_FALSE(RetryMayHelp(64));
  CHECK_FALSE(RetryMayHelp(70));
}

}  // namespace vodctl::notify
