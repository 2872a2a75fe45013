// The outbox of SqliteStateStore: events recorded with the changes they report, and their
// deliveries handed out in order per job and URL.
#include "state/sqlite_handle.h"
#include "state/sqlite_state_store.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test_support.h"

#include <chrono>
#include <string>
#include <vector>

namespace vodctl {
namespace {

using nlohmann::json;
using testing::TempFolder;

constexpr int64_t kFarFuture = int64_t{1} << 62;

struct OutboxFixture {
  explicit OutboxFixture(NotifyOptions notify_options = Notify({"http://a/hook"})) {
    store = OpenSqliteStateStore(db_path);
    store->CreateOrCheckJob("j1", "/in.mp4", "/out", JobOptions{}, notify_options);
  }

  static NotifyOptions Notify(std::vector<std::string> urls) {
    NotifyOptions notify;
    notify.urls = std::move(urls);
    notify.progress_interval = 0;  // a job.progress for every chunk
    return notify;
  }

  std::vector<std::string> Types() {
    std::vector<std::string> types;
    for (const OutboxEvent& event : store->ListOutbox("j1", 0, 0)) types.push_back(event.type);
    return types;
  }

  TempFolder folder;
  std::string db_path = (folder.path() / "state.db").string();
  std::unique_ptr<StateStore> store;
};

std::vector<ChunkPlan> TwoChunks() {
  return {{.index = 0, .end_pts = 10, .end_slot = 10, .input_frames = 10},
          {.index = 1, .start_pts = 10, .end_pts = 20, .first_slot = 10, .end_slot = 20,
           .input_frames = 10}};
}

TEST_CASE("Job and chunk transitions put their events in the outbox, numbered per job") {
  OutboxFixture f;
  f.store->SetChunks("j1", TwoChunks());
  f.store->SetJobState("j1", JobState::kRunning);
  auto first = f.store->ClaimChunk("j1", 0, "me", 60'000);
  REQUIRE(first);
  CHECK(f.store->FailChunk("j1", ChunkLease::Of(*first), "encoder hiccup", /*permanent=*/false));
  auto second = f.store->ClaimChunk("j1", 0, "me", 60'000);
  REQUIRE(second);
  CHECK(f.store->CompleteChunk("j1", ChunkLease::Of(*second), json::object()));
  f.store->SetJobResult("j1", {{"document", {{"schema_version", 1}}}});
  f.store->SetJobState("j1", JobState::kDone);
  f.store->SetJobState("j1", JobState::kDone);  // no change, no second job.done

  CHECK(f.Types() ==
        std::vector<std::string>{"job.created", "job.retrying", "job.progress", "job.done"});
  const std::vector<OutboxEvent> events = f.store->ListOutbox("j1", 0, 0);
  for (size_t i = 0; i < events.size(); ++i) {
    CHECK(events[i].sequence == static_cast<int64_t>(i) + 1);
    const json body = json::parse(events[i].body);
    CHECK(body["id"] == events[i].event_id);
    CHECK(body["sequence"] == events[i].sequence);
    CHECK(body["job"]["id"] == "j1");
  }
  CHECK(json::parse(events[2].body)["data"] ==
        json{{"percent", 50.0}, {"chunks_done", 1}, {"chunks_total", 2}});
  CHECK(json::parse(events[3].body)["data"]["result"] == json{{"schema_version", 1}});
  CHECK(f.store->ListOutbox("j1", 2, 0).size() == 2);
  CHECK(f.store->ListOutbox("", 0, events[1].id).size() == 2);
}

TEST_CASE("job.failed carries the error, the exit code and whether a retry may help") {
  OutboxFixture f;
  f.store->SetJobState("j1", JobState::kFailed, "bad.mp4: not a video", ExitCode::kDataError);
  const json data = json::parse(f.store->ListOutbox("j1", 1, 0).at(0).body)["data"];
  CHECK(data == json{{"error", "bad.mp4: not a video"}, {"exit_code", 65},
                     {"retry_may_help", false}});
  f.store->SetJobState("j1", JobState::kRunning);
  CHECK(f.Types().back() == "job.retrying");
}

TEST_CASE("job.progress comes at most once per interval") {
  NotifyOptions notify = OutboxFixture::Notify({});
  notify.progress_interval = 3600;
  OutboxFixture f(notify);
  f.store->SetChunks("j1", TwoChunks());
  for (int index : {0, 1}) {
    auto claimed = f.store->ClaimChunk("j1", index, "me", 60'000);
    REQUIRE(claimed);
    CHECK(f.store->CompleteChunk("j1", ChunkLease::Of(*claimed), json::object()));
  }
  CHECK(f.Types() == std::vector<std::string>{"job.created", "job.progress"});
}

TEST_CASE("Deliveries come one at a time per job and URL, in order, until each is settled") {
  OutboxFixture f(OutboxFixture::Notify({"http://a/hook", "http://b/hook"}));
  f.store->SetJobState("j1", JobState::kFailed, "gone", ExitCode::kIoError);

  std::vector<PendingDelivery> due = f.store->DueDeliveries(kFarFuture, 10);
  REQUIRE(due.size() == 2);  // job.created to each URL; job.failed waits behind it
  CHECK(due[0].event.type == "job.created");
  CHECK(due[1].event.type == "job.created");

  // a's receiver answers 503: a retry later; b's takes it.
  f.store->RecordDelivery(due[0].event.id, "http://a/hook",
                          {DeliveryState::kPending, kFarFuture - 1, "HTTP 503"});
  f.store->RecordDelivery(due[1].event.id, "http://b/hook", {DeliveryState::kDelivered, 0, ""});
  due = f.store->DueDeliveries(kFarFuture - 2, 10);
  REQUIRE(due.size() == 1);
  CHECK(due[0].url == "http://b/hook");
  CHECK(due[0].event.type == "job.failed");

  // A 4xx gives a delivery up: it no longer holds back the next one.
  f.store->RecordDelivery(due[0].event.id - 1, "http://a/hook",
                          {DeliveryState::kFailed, 0, "HTTP 410"});
  f.store->RecordDelivery(due[0].event.id, "http://b/hook", {DeliveryState::kDelivered, 0, ""});
  due = f.store->DueDeliveries(kFarFuture, 10);
  REQUIRE(due.size() == 1);
  CHECK(due[0].url == "http://a/hook");
  CHECK(due[0].event.type == "job.failed");

  const DeliverySummary summary = f.store->SummariseDeliveries("j1");
  CHECK(summary.delivered == 2);
  CHECK(summary.pending == 1);
  CHECK(summary.failed == 1);
  CHECK(summary.last_error == "HTTP 410");
}

TEST_CASE("A job without notify URLs records its events but has nothing to deliver") {
  OutboxFixture f(OutboxFixture::Notify({}));
  CHECK(f.Types() == std::vector<std::string>{"job.created"});
  CHECK(f.store->DueDeliveries(kFarFuture, 10).empty());
}

TEST_CASE("Naming notify URLs again replaces a job's receivers for its later events") {
  OutboxFixture f(OutboxFixture::Notify({}));
  f.store->CreateOrCheckJob("j1", "/in.mp4", "/out", JobOptions{},
                            OutboxFixture::Notify({"http://c/hook"}));
  CHECK(f.store->GetJob("j1").notify.urls == std::vector<std::string>{"http://c/hook"});
  f.store->SetJobState("j1", JobState::kFailed, "x", ExitCode::kIoError);
  const std::vector<PendingDelivery> due = f.store->DueDeliveries(kFarFuture, 10);
  REQUIRE(due.size() == 1);
  CHECK(due[0].event.type == "job.failed");
}

TEST_CASE("A version 2 database is brought up to the outbox's schema, its jobs kept") {
  TempFolder folder;
  const std::string path = (folder.path() / "state.db").string();
  OpenSqliteStateStore(path)->CreateOrCheckJob("old", "/in.mp4", "/out", JobOptions{});
  {
    // What a database of the previous release looks like.
    sqlite::Database db(path);
    db.Exec("DROP TABLE deliveries; DROP TABLE outbox; "
            "ALTER TABLE jobs DROP COLUMN notify_json; "
            "ALTER TABLE steps DROP COLUMN started_at_ms; "
            "ALTER TABLE steps DROP COLUMN finished_at_ms; PRAGMA user_version = 2");
  }
  auto store = OpenSqliteStateStore(path);
  CHECK(store->GetJob("old").notify == NotifyOptions{});
  store->SetJobState("old", JobState::kFailed, "x", ExitCode::kIoError);
  const std::vector<OutboxEvent> events = store->ListOutbox("old", 0, 0);
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == "job.failed");
  CHECK(events[0].sequence == 1);
}

TEST_CASE("Step times are kept for job.done's timings") {
  OutboxFixture f;
  f.store->SetStepState("j1", Step::kSplit, StepState::kRunning);
  f.store->SetStepState("j1", Step::kSplit, StepState::kDone);
  f.store->SetJobState("j1", JobState::kDone);
  const json timings = json::parse(f.store->ListOutbox("j1", 0, 0).back().body)["data"]["timings"];
  REQUIRE(timings.contains("split"));
  CHECK(timings["split"]["seconds"].get<double>() >= 0);
  CHECK_FALSE(timings.contains("concat"));
}

}  // namespace
}  // namespace vodctl

namespace vodctl {
namespace {

TEST_CASE("A delivery is claimed by one process at a time, until recorded or expired") {
  OutboxFixture f;
  const PendingDelivery due = f.store->DueDeliveries(kFarFuture, 10).at(0);
  auto other = OpenSqliteStateStore(f.db_path);  // another process's connection
  CHECK(f.store->ClaimDelivery(due.event.id, due.url, 60'000));
  CHECK_FALSE(other->ClaimDelivery(due.event.id, due.url, 60'000));
  CHECK(other->DueDeliveries(kFarFuture, 10).at(0).claimed_until_ms > 0);
  f.store->RecordDelivery(due.event.id, due.url, {DeliveryState::kPending, 0, "HTTP 503"});
  CHECK(other->ClaimDelivery(due.event.id, due.url, -1));  // expires at once
  CHECK(f.store->ClaimDelivery(due.event.id, due.url, 60'000));
  f.store->RecordDelivery(due.event.id, due.url, {DeliveryState::kDelivered, 0, ""});
  CHECK_FALSE(other->ClaimDelivery(due.event.id, due.url, 60'000));  // nothing left to send
}

}  // namespace
}  // namespace vodctl
