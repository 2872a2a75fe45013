#include "notify/event_feed.h"

#include "notify/event_body.h"
#include "vodctl/state_store.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace vodctl::notify {

TEST_CASE("ReadFeed gives a job's events from a sequence on, in order") {
  testing::TempFolder folder;
  auto state = OpenSqliteStateStore((folder.path() / "state.db").string());
  state->CreateOrCheckJob("a", "/a.mp4", "/out/a", JobOptions{});
  state->CreateOrCheckJob("b", "/b.mp4", "/out/b", JobOptions{});
  state->SetJobState("a", JobState::kFailed, "no video", ExitCode::kDataError);
  std::vector<std::string> seen;
  ReadFeed(*state, {}, false, [&](const OutboxEvent& e) { seen.push_back(e.job_id + e.type); });
  CHECK(seen == std::vector<std::string>{"ajob.created", "bjob.created", "ajob.failed"});
  seen.clear();
  ReadFeed(*state, {"a", 1}, false, [&](const OutboxEvent& e) { seen.push_back(e.type); });
  CHECK(seen == std::vector<std::string>{"job.failed"});
}

TEST_CASE("EventLine shows time, job, sequence, type and what happened") {
  OutboxEvent event{1, "evt_1", "j1", 3, "job.progress", 1733533323000, ""};
  event.body = EventBody("evt_1", "job.progress", 3, event.time_ms, "j1",
                         {{"percent", 50.0}, {"chunks_done", 8}, {"chunks_total", 16}});
  CHECK(EventLine(event) == "2024-12-07T01:02:03Z j1 #3 job.progress 50% (8 of 16 chunks)");
}

}  // namespace vodctl::notify
