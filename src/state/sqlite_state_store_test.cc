#include "state/sqlite_state_store.h"

#include "state/sqlite_handle.h"
#include "vodctl/error.h"

#include <stdlib.h>

#include <catch2/catch.hpp>

#include "test_support.h"
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace vodctl {
namespace {

using testing::IsError;
using testing::TempFolder;

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr int64_t kLongLease = 60'000;

// A store on a fresh database holding job "j1" with `chunks` chunks planned.
struct Fixture {
  explicit Fixture(int chunks = 0) {
    store = OpenSqliteStateStore(db_path);
    job = store->CreateOrCheckJob("j1", "file:///in.mp4", "file:///out", options);
    if (chunks > 0) store->SetChunks("j1", Plans(chunks));
  }

  static std::vector<ChunkPlan> Plans(int count) {
    std::vector<ChunkPlan> plans;
    for (int i = 0; i < count; ++i) {
      plans.push_back({.index = i,
                       .start_pts = i * 60'000,
                       .end_pts = (i + 1) * 60'000,
                       .first_slot = i * 50,
                       .end_slot = (i + 1) * 50,
                       .input_frames = 50});
    }
    return plans;
  }

  ChunkRecord Chunk(int index) { return store->ListChunks("j1").at(index); }
  // The lease chunk `index` is under now.
  ChunkLease Lease(int index) { return ChunkLease::Of(Chunk(index)); }

  std::vector<std::string> EventKinds() {
    std::vector<std::string> kinds;
    for (const EventRecord& event : store->ListEvents("j1")) kinds.push_back(event.kind);
    return kinds;
  }

  TempFolder folder;
  std::string db_path = (folder.path() / "state.db").string();
  JobOptions options = [] {
    JobOptions o;
    o.ladder = ParseLadder("720p@3000k,360p");
    o.crf = 21;
    return o;
  }();
  std::unique_ptr<StateStore> store;
  JobRecord job;
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST_CASE("State names round trip and unknown names are rejected") {
  for (JobState s : {JobState::kPending, JobState::kRunning, JobState::kDone, JobState::kFailed}) {
    CHECK(JobStateFromString(ToString(s)) == s);
  }
  for (StepState s : {StepState::kPending, StepState::kRunning, StepState::kDone,
                      StepState::kFailed}) {
    CHECK(StepStateFromString(ToString(s)) == s);
  }
  for (ChunkState s : {ChunkState::kPending, ChunkState::kRunning, ChunkState::kDone,
                       ChunkState::kFailed}) {
    CHECK(ChunkStateFromString(ToString(s)) == s);
  }
  for (Step s : kAllSteps) CHECK(StepFromString(ToString(s)) == s);
  CHECK(std::string(ToString(Step::kTranscode)) == "transcode");
  CHECK(std::string(ToString(ChunkState::kDone)) == "done");
  CHECK_THROWS_MATCHES(StepFromString("encode"), Error,
                       IsError(ExitCode::kUsage, "unknown step 'encode' (expected one of split, "
                                                 "transcode, concat, segment)"));
  CHECK_THROWS_MATCHES(JobStateFromString("Done"), Error, IsError(ExitCode::kUsage, "'Done'"));
}

TEST_CASE("CreateOrCheckJob creates a pending job with every step pending") {
  const int64_t before = NowMs();
  Fixture f;
  const JobRecord& job = f.job;
  CHECK(job.id == "j1");
  CHECK(job.source == "file:///in.mp4");
  CHECK(job.output == "file:///out");
  CHECK(job.options == f.options);
  CHECK(job.state == JobState::kPending);
  CHECK(job.error.empty());
  CHECK_FALSE(job.source_info.has_value());
  CHECK(job.result.is_null());
  CHECK(job.steps == std::map<Step, StepState>{{Step::kSplit, StepState::kPending},
                                               {Step::kTranscode, StepState::kPending},
                                               {Step::kConcat, StepState::kPending},
                                               {Step::kSegment, StepState::kPending}});
  CHECK(job.created_at_ms >= before);
  CHECK(job.created_at_ms <= NowMs());
  CHECK(job.updated_at_ms == job.created_at_ms);
  CHECK(f.store->ListChunks("j1").empty());
  CHECK(f.store->ListEvents("j1").empty());
}

TEST_CASE("CreateOrCheckJob accepts the same job again and refuses a different one") {
  Fixture f;
  SECTION("same source, output and options: the stored record") {
    JobRecord again = f.store->CreateOrCheckJob("j1", "file:///in.mp4", "file:///out", f.options);
    CHECK(again.created_at_ms == f.job.created_at_ms);
    CHECK(again.options == f.job.options);
    CHECK(f.store->ListJobs().size() == 1);
  }
  SECTION("different source") {
    CHECK_THROWS_MATCHES(
        f.store->CreateOrCheckJob("j1", "file:///other.mp4", "file:///out", f.options), Error,
        IsError(ExitCode::kUsage, "job 'j1' exists with a different source (stored "
                                  "\"file:///in.mp4\", asked \"file:///other.mp4\")"));
  }
  SECTION("different output") {
    CHECK_THROWS_MATCHES(
        f.store->CreateOrCheckJob("j1", "file:///in.mp4", "file:///elsewhere", f.options), Error,
        IsError(ExitCode::kUsage, "job 'j1' exists with a different output"));
  }
  SECTION("different options") {
    JobOptions other = f.options;
    other.crf = 28;
    CHECK_THROWS_MATCHES(
        f.store->CreateOrCheckJob("j1", "file:///in.mp4", "file:///out", other), Error,
        IsError(ExitCode::kUsage, "job 'j1' exists with a different crf (stored 21, asked 28)"));
    other = f.options;
    other.ladder.clear();
    CHECK_THROWS_MATCHES(
        f.store->CreateOrCheckJob("j1", "file:///in.mp4", "file:///out", other), Error,
        IsError(ExitCode::kUsage, "different ladder (stored \"720p@3000k,360p\", asked \"\")"));
  }
}

TEST_CASE("CreateOrCheckJob refuses an invalid job ID") {
  Fixture f;
  CHECK_THROWS_MATCHES(f.store->CreateOrCheckJob("../x", "a", "b", f.options), Error,
                       IsError(ExitCode::kUsage, "invalid job ID '../x'"));
}

TEST_CASE("A missing job is a usage error naming the database") {
  Fixture f(3);
  CHECK_FALSE(f.store->FindJob("nope").has_value());
  const std::string message = "no job 'nope' in " + f.db_path;
  CHECK_THROWS_MATCHES(f.store->GetJob("nope"), Error, IsError(ExitCode::kUsage, message));
  CHECK_THROWS_MATCHES(f.store->ListChunks("nope"), Error, IsError(ExitCode::kUsage, message));
  CHECK_THROWS_MATCHES(f.store->ListEvents("nope"), Error, IsError(ExitCode::kUsage, message));
  CHECK_THROWS_MATCHES(f.store->SetJobState("nope", JobState::kDone), Error,
                       IsError(ExitCode::kUsage, message));
  CHECK_THROWS_MATCHES(f.store->ClaimChunk("nope", std::nullopt, "w", kLongLease), Error,
                       IsError(ExitCode::kUsage, message));
  CHECK_THROWS_MATCHES(f.store->AddEvent("nope", "note", std::nullopt, "hi"), Error,
                       IsError(ExitCode::kUsage, message));
}

TEST_CASE("A missing chunk is a usage error") {
  Fixture f(3);
  const std::string message = "job 'j1' has no chunk 7 in " + f.db_path;
  CHECK_THROWS_MATCHES(f.store->ClaimChunk("j1", 7, "w", kLongLease), Error,
                       IsError(ExitCode::kUsage, message));
  CHECK_THROWS_MATCHES(f.store->AdoptChunkResult("j1", 7, json::object()), Error,
                       IsError(ExitCode::kUsage, message));
  // A lease on a chunk that does not exist is not held: the write changes nothing.
  CHECK_FALSE(f.store->CompleteChunk("j1", {7, "w", 1}, json::object()));
  CHECK_FALSE(f.store->FailChunk("j1", {7, "w", 1}, "x", false));
  CHECK_THROWS_MATCHES(f.store->ResetChunk("j1", 7), Error, IsError(ExitCode::kUsage, message));
  CHECK(f.store->ListEvents("j1").empty());
}

TEST_CASE("ListJobs lists the oldest first") {
  Fixture f;
  f.store->CreateOrCheckJob("b", "s", "o", f.options);
  f.store->CreateOrCheckJob("a", "s", "o", f.options);
  std::vector<std::string> ids;
  for (const JobRecord& job : f.store->ListJobs()) ids.push_back(job.id);
  CHECK(ids == std::vector<std::string>{"j1", "b", "a"});
}

TEST_CASE("Job state, step states, source info and result are stored") {
  Fixture f;
  std::this_thread::sleep_for(5ms);
  f.store->SetJobState("j1", JobState::kRunning);
  f.store->SetStepState("j1", Step::kSplit, StepState::kDone);
  f.store->SetStepState("j1", Step::kTranscode, StepState::kRunning);
  SourceInfo info;
  info.format = "matroska,webm";
  info.duration = 12.5;
  info.video.codec = "vp9";
  info.video.width = 1920;
  info.video.height = 1080;
  info.video.frame_rate = {25, 1};
  f.store->SetSourceInfo("j1", info);
  const json result = {{"renditions", {{{"name", "720p"}, {"bandwidth", 3'300'000}}}}};
  f.store->SetJobResult("j1", result);

  JobRecord job = f.store->GetJob("j1");
  CHECK(job.state == JobState::kRunning);
  CHECK(job.steps.at(Step::kSplit) == StepState::kDone);
  CHECK(job.steps.at(Step::kTranscode) == StepState::kRunning);
  CHECK(job.steps.at(Step::kConcat) == StepState::kPending);
  REQUIRE(job.source_info.has_value());
  CHECK(json(*job.source_info) == json(info));
  CHECK(job.result == result);
  CHECK(job.updated_at_ms > job.created_at_ms);

  f.store->SetJobState("j1", JobState::kFailed, "transcode: chunk 3 failed 3 times");
  job = f.store->GetJob("j1");
  CHECK(job.state == JobState::kFailed);
  CHECK(job.error == "transcode: chunk 3 failed 3 times");
  f.store->SetJobState("j1", JobState::kRunning);
  CHECK(f.store->GetJob("j1").error.empty());
}

TEST_CASE("SetChunks plans every chunk pending and replaces an earlier plan") {
  Fixture f(5);
  std::vector<ChunkRecord> chunks = f.store->ListChunks("j1");
  REQUIRE(chunks.size() == 5);
  const std::vector<ChunkPlan> plans = Fixture::Plans(5);
  for (size_t i = 0; i < chunks.size(); ++i) {
    CHECK(chunks[i].plan == plans[i]);
    CHECK(chunks[i].state == ChunkState::kPending);
    CHECK(chunks[i].attempts == 0);
    CHECK(chunks[i].lease_owner.empty());
    CHECK(chunks[i].lease_expiry_ms == 0);
    CHECK(chunks[i].result.is_null());
  }
  f.store->ClaimChunk("j1", std::nullopt, "w", kLongLease);
  f.store->SetChunks("j1", Fixture::Plans(2));
  chunks = f.store->ListChunks("j1");
  REQUIRE(chunks.size() == 2);
  CHECK(chunks[0].state == ChunkState::kPending);
  CHECK(chunks[0].attempts == 0);
}

TEST_CASE("A method that fails changes nothing") {
  Fixture f(3);
  std::vector<ChunkPlan> duplicate_index = Fixture::Plans(2);
  duplicate_index.push_back(duplicate_index[0]);
  CHECK_THROWS_MATCHES(f.store->SetChunks("j1", duplicate_index), Error,
                       IsError(ExitCode::kIoError, f.db_path));
  CHECK(f.store->ListChunks("j1").size() == 3);
  // And the connection is usable afterwards: the failed transaction was rolled back.
  CHECK(f.store->ClaimChunk("j1", std::nullopt, "w", kLongLease).has_value());
}

TEST_CASE("ClaimChunk hands out the lowest claimable chunk with a lease") {
  Fixture f(3);
  const int64_t before = NowMs();
  std::optional<ChunkRecord> first = f.store->ClaimChunk("j1", std::nullopt, "host:1", kLongLease);
  REQUIRE(first.has_value());
  CHECK(first->plan == Fixture::Plans(3)[0]);
  CHECK(first->state == ChunkState::kRunning);
  CHECK(first->attempts == 1);
  CHECK(first->lease_owner == "host:1");
  CHECK(first->lease_expiry_ms >= before + kLongLease);
  CHECK(first->lease_expiry_ms <= NowMs() + kLongLease);

  ChunkRecord stored = f.Chunk(0);
  CHECK(stored.state == ChunkState::kRunning);
  CHECK(stored.attempts == 1);
  CHECK(stored.lease_owner == "host:1");
  CHECK(stored.lease_expiry_ms == first->lease_expiry_ms);

  CHECK(f.store->ClaimChunk("j1", std::nullopt, "host:2", kLongLease).value().plan.index == 1);
  CHECK(f.store->ClaimChunk("j1", std::nullopt, "host:1", kLongLease).value().plan.index == 2);
  CHECK_FALSE(f.store->ClaimChunk("j1", std::nullopt, "host:3", kLongLease).has_value());

  std::vector<EventRecord> events = f.store->ListEvents("j1");
  REQUIRE(events.size() == 3);
  CHECK(events[0].kind == "chunk-claimed");
  CHECK(events[0].chunk == 0);
  CHECK(events[0].message == "claimed by host:1, attempt 1");
  CHECK(events[1].chunk == 1);
  CHECK(events[1].message == "claimed by host:2, attempt 1");
}

TEST_CASE("ClaimChunk with an index claims only that chunk") {
  Fixture f(3);
  std::optional<ChunkRecord> chunk = f.store->ClaimChunk("j1", 2, "w", kLongLease);
  REQUIRE(chunk.has_value());
  CHECK(chunk->plan.index == 2);
  CHECK_FALSE(f.store->ClaimChunk("j1", 2, "w2", kLongLease).has_value());  // leased
  REQUIRE(f.store->CompleteChunk("j1", ChunkLease::Of(*chunk), json::object()));
  CHECK_FALSE(f.store->ClaimChunk("j1", 2, "w2", kLongLease).has_value());  // done
  CHECK(f.Chunk(0).state == ChunkState::kPending);
  CHECK(f.Chunk(1).state == ChunkState::kPending);
}

TEST_CASE("A chunk is claimable again only once its lease has expired") {
  Fixture f(1);
  SECTION("an already expired lease") {
    REQUIRE(f.store->ClaimChunk("j1", std::nullopt, "host:1", -1).has_value());
    std::optional<ChunkRecord> again = f.store->ClaimChunk("j1", std::nullopt, "host:2", -1);
    REQUIRE(again.has_value());
    CHECK(again->plan.index == 0);
    CHECK(again->attempts == 2);
    CHECK(again->lease_owner == "host:2");
    CHECK(f.store->ListEvents("j1").back().message ==
          "claimed by host:2, attempt 2 (lease of host:1 expired)");
  }
  SECTION("a short lease that runs out") {
    REQUIRE(f.store->ClaimChunk("j1", std::nullopt, "host:1", 100).has_value());
    CHECK_FALSE(f.store->ClaimChunk("j1", std::nullopt, "host:2", 100).has_value());
    CHECK_FALSE(f.store->ClaimChunk("j1", 0, "host:2", 100).has_value());
    std::this_thread::sleep_for(150ms);
    std::optional<ChunkRecord> again = f.store->ClaimChunk("j1", 0, "host:2", 100);
    REQUIRE(again.has_value());
    CHECK(again->attempts == 2);
  }
}

TEST_CASE("RenewLease extends a lease only for its holder") {
  Fixture f(1);
  const ChunkRecord claimed = f.store->ClaimChunk("j1", 0, "host:1", 50).value();
  const ChunkLease lease = ChunkLease::Of(claimed);
  CHECK(lease.token == 1);
  CHECK(f.store->RenewLease("j1", lease, kLongLease));
  CHECK(f.Chunk(0).lease_expiry_ms >= claimed.lease_expiry_ms + kLongLease - 50);
  CHECK_FALSE(f.store->RenewLease("j1", {0, "host:2", 1}, kLongLease));
  CHECK_FALSE(f.store->RenewLease("j1", {0, "host:1", 2}, kLongLease));  // not this claim's token

  // The lease lapses and another worker takes the chunk: the first worker has lost it.
  f.store->RenewLease("j1", lease, -1);
  REQUIRE(f.store->ClaimChunk("j1", 0, "host:2", kLongLease).has_value());
  CHECK_FALSE(f.store->RenewLease("j1", lease, kLongLease));
  CHECK(f.Chunk(0).lease_owner == "host:2");
}

TEST_CASE("CompleteChunk records the result and ends the lease") {
  Fixture f(2);
  f.store->ClaimChunk("j1", 1, "host:1", kLongLease);
  REQUIRE(f.store->FailChunk("j1", f.Lease(1), "encoder crashed", false));
  f.store->ClaimChunk("j1", 1, "host:1", kLongLease);
  const json result = {{"720p", {{"size", 1234}, {"sha256", "ab"}, {"frames", 50}}}};
  const ChunkLease lease = f.Lease(1);
  REQUIRE(f.store->CompleteChunk("j1", lease, result));
  CHECK_FALSE(f.store->CompleteChunk("j1", lease, result));  // once: the lease ended with it

  ChunkRecord chunk = f.Chunk(1);
  CHECK(chunk.state == ChunkState::kDone);
  CHECK(chunk.result == result);
  CHECK(chunk.attempts == 2);
  CHECK(chunk.error.empty());
  CHECK(chunk.lease_owner.empty());
  CHECK(chunk.lease_expiry_ms == 0);
  CHECK_FALSE(f.store->ClaimChunk("j1", 1, "host:2", -1).has_value());
  const EventRecord done = f.store->ListEvents("j1").back();
  CHECK(done.kind == "chunk-done");
  CHECK(done.chunk == 1);
  CHECK(done.message == "done on attempt 2");
}

TEST_CASE("FailChunk retries a transient failure and stops on a permanent one") {
  Fixture f(1);
  f.store->ClaimChunk("j1", 0, "host:1", kLongLease);
  REQUIRE(f.store->FailChunk("j1", f.Lease(0), "upload timed out", false));
  ChunkRecord chunk = f.Chunk(0);
  CHECK(chunk.state == ChunkState::kPending);
  CHECK(chunk.error == "upload timed out");
  CHECK(chunk.attempts == 1);
  CHECK(chunk.lease_owner.empty());
  CHECK(f.store->ListEvents("j1").back().message ==
        "attempt 1 failed, will retry: upload timed out");

  REQUIRE(f.store->ClaimChunk("j1", std::nullopt, "host:2", kLongLease).has_value());
  REQUIRE(f.store->FailChunk("j1", f.Lease(0), "undecodable frame", true));
  chunk = f.Chunk(0);
  CHECK(chunk.state == ChunkState::kFailed);
  CHECK(chunk.error == "undecodable frame");
  CHECK(chunk.attempts == 2);
  CHECK_FALSE(f.store->ClaimChunk("j1", std::nullopt, "host:3", -1).has_value());
  const EventRecord failed = f.store->ListEvents("j1").back();
  CHECK(failed.kind == "chunk-failed");
  CHECK(failed.chunk == 0);
  CHECK(failed.message == "attempt 2 failed permanently: undecodable frame");
}

TEST_CASE("ResetChunk makes a done chunk pending again, keeping its attempts") {
  Fixture f(1);
  f.store->ClaimChunk("j1", 0, "host:1", kLongLease);
  REQUIRE(f.store->CompleteChunk("j1", f.Lease(0), {{"720p", {{"size", 1}}}}));
  f.store->ResetChunk("j1", 0);
  ChunkRecord chunk = f.Chunk(0);
  CHECK(chunk.state == ChunkState::kPending);
  CHECK(chunk.attempts == 1);
  CHECK(chunk.result.is_null());
  CHECK(f.EventKinds() == std::vector<std::string>{"chunk-claimed", "chunk-done", "chunk-reset"});
  CHECK(f.store->ClaimChunk("j1", std::nullopt, "host:2", kLongLease).value().attempts == 2);
}

TEST_CASE("ReleaseChunk gives a chunk back only when the owner still holds it") {
  Fixture f(1);
  const ChunkLease lease = ChunkLease::Of(f.store->ClaimChunk("j1", 0, "host:1", kLongLease).value());
  SECTION("by the holder") {
    CHECK(f.store->ReleaseChunk("j1", lease, "stopping"));
    ChunkRecord chunk = f.Chunk(0);
    CHECK(chunk.state == ChunkState::kPending);
    CHECK(chunk.attempts == 1);
    CHECK(chunk.lease_owner.empty());
    CHECK(f.EventKinds() == std::vector<std::string>{"chunk-claimed", "chunk-released"});
    CHECK(f.store->ClaimChunk("j1", std::nullopt, "host:2", kLongLease).value().attempts == 2);
  }
  SECTION("by someone else") {
    CHECK_FALSE(f.store->ReleaseChunk("j1", {0, "host:2", 1}, "stopping"));
    ChunkRecord chunk = f.Chunk(0);
    CHECK(chunk.state == ChunkState::kRunning);
    CHECK(chunk.lease_owner == "host:1");
    CHECK(f.EventKinds() == std::vector<std::string>{"chunk-claimed"});
  }
  SECTION("after completing") {
    REQUIRE(f.store->CompleteChunk("j1", lease, json::object()));
    CHECK_FALSE(f.store->ReleaseChunk("j1", lease, "stopping"));
    CHECK(f.Chunk(0).state == ChunkState::kDone);
  }
}

TEST_CASE("The job lock admits one owner until it is released or expires") {
  Fixture f;
  CHECK_FALSE(f.store->AcquireJobLock("j1", "host:1", kLongLease).has_value());
  CHECK(f.store->GetJob("j1").lock_owner == "host:1");
  CHECK_FALSE(f.store->AcquireJobLock("j1", "host:1", kLongLease).has_value());  // re-entrant
  CHECK(f.store->AcquireJobLock("j1", "host:2", kLongLease) == std::optional<std::string>("host:1"));
  CHECK(f.store->RenewJobLock("j1", "host:1", kLongLease));
  CHECK_FALSE(f.store->RenewJobLock("j1", "host:2", kLongLease));
  SECTION("released") {
    f.store->ReleaseJobLock("j1", "host:2");  // not the holder: no effect
    CHECK(f.store->GetJob("j1").lock_owner == "host:1");
    f.store->ReleaseJobLock("j1", "host:1");
    CHECK_FALSE(f.store->AcquireJobLock("j1", "host:2", kLongLease).has_value());
  }
  SECTION("expired") {
    CHECK(f.store->RenewJobLock("j1", "host:1", -1));
    CHECK_FALSE(f.store->AcquireJobLock("j1", "host:2", kLongLease).has_value());
    CHECK_FALSE(f.store->RenewJobLock("j1", "host:1", kLongLease));
  }
}

TEST_CASE("A step a dead lock holder left running is there for the next holder to take over") {
  Fixture f;
  REQUIRE_FALSE(f.store->AcquireJobLock("j1", "host:1", kLongLease).has_value());
  f.store->SetStepState("j1", Step::kConcat, StepState::kRunning);
  f.store->SetStepState("j1", Step::kTranscode, StepState::kRunning);
  // host:1 is killed; host:2 gets the lock once it expires, and with it the steps only a
  // holder runs.
  REQUIRE(f.store->RenewJobLock("j1", "host:1", -1));
  REQUIRE_FALSE(f.store->AcquireJobLock("j1", "host:2", kLongLease).has_value());
  const JobRecord job = f.store->GetJob("j1");
  CHECK(job.steps.at(Step::kConcat) == StepState::kRunning);
  CHECK(RunsUnderJobLock(Step::kConcat));
  CHECK(RunsUnderJobLock(Step::kSplit));
  CHECK(RunsUnderJobLock(Step::kSegment));
  // Transcode's chunks run in workers without the job lock, under leases of their own.
  CHECK_FALSE(RunsUnderJobLock(Step::kTranscode));
}

TEST_CASE("DeleteJob removes a job and everything of it, only for the lock's holder") {
  Fixture f(2);
  f.store->AddEvent("j1", "step-done", std::nullopt, "split");
  CHECK_FALSE(f.store->DeleteJob("j1", "host:1"));  // nobody holds the lock
  REQUIRE_FALSE(f.store->AcquireJobLock("j1", "host:1", kLongLease).has_value());
  CHECK_FALSE(f.store->DeleteJob("j1", "host:2"));
  CHECK(f.store->FindJob("j1").has_value());
  CHECK(f.store->DeleteJob("j1", "host:1"));
  CHECK_FALSE(f.store->FindJob("j1").has_value());
  CHECK(f.store->ListJobs().empty());
  // Its chunks and events went with it: a new job of the same ID starts empty.
  f.store->CreateOrCheckJob("j1", "file:///in.mp4", "file:///out", f.options);
  CHECK(f.store->ListChunks("j1").empty());
  CHECK(f.store->ListEvents("j1").empty());
}

TEST_CASE("AddEvent records events in order, with or without a chunk") {
  Fixture f(2);
  const int64_t before = NowMs();
  f.store->AddEvent("j1", "step-started", std::nullopt, "transcode");
  f.store->AddEvent("j1", "artefact-redo", 1, "size mismatch");
  std::vector<EventRecord> events = f.store->ListEvents("j1");
  REQUIRE(events.size() == 2);
  CHECK(events[0].kind == "step-started");
  CHECK_FALSE(events[0].chunk.has_value());
  CHECK(events[0].message == "transcode");
  CHECK(events[0].time_ms >= before);
  CHECK(events[1].kind == "artefact-redo");
  CHECK(events[1].chunk == 1);
  CHECK(events[1].message == "size mismatch");
  CHECK(events[1].id > events[0].id);
  CHECK(events[1].time_ms >= events[0].time_ms);
}

TEST_CASE("Reopening the database finds everything as it was left") {
  Fixture f(3);
  f.store->SetStepState("j1", Step::kSplit, StepState::kDone);
  f.store->ClaimChunk("j1", 0, "host:1", kLongLease);
  REQUIRE(f.store->CompleteChunk("j1", f.Lease(0), {{"360p", {{"size", 99}}}}));
  f.store->ClaimChunk("j1", 1, "host:1", kLongLease);
  const JobRecord job = f.store->GetJob("j1");
  const std::vector<ChunkRecord> chunks = f.store->ListChunks("j1");
  const std::vector<EventRecord> events = f.store->ListEvents("j1");
  f.store.reset();

  std::unique_ptr<StateStore> reopened = OpenSqliteStateStore(f.db_path);
  const JobRecord job_again = reopened->GetJob("j1");
  CHECK(job_again.options == job.options);
  CHECK(job_again.steps == job.steps);
  CHECK(job_again.updated_at_ms == job.updated_at_ms);
  const std::vector<ChunkRecord> chunks_again = reopened->ListChunks("j1");
  REQUIRE(chunks_again.size() == chunks.size());
  for (size_t i = 0; i < chunks.size(); ++i) {
    CHECK(chunks_again[i].plan == chunks[i].plan);
    CHECK(chunks_again[i].state == chunks[i].state);
    CHECK(chunks_again[i].attempts == chunks[i].attempts);
    CHECK(chunks_again[i].lease_owner == chunks[i].lease_owner);
    CHECK(chunks_again[i].lease_expiry_ms == chunks[i].lease_expiry_ms);
    CHECK(chunks_again[i].result == chunks[i].result);
  }
  CHECK(reopened->ListEvents("j1").size() == events.size());
  // The lease survives too: the chunk a live worker holds is not handed out.
  CHECK(reopened->ClaimChunk("j1", std::nullopt, "host:2", kLongLease).value().plan.index == 2);
}

TEST_CASE("The database is set up for concurrent, durable use") {
  Fixture f;
  sqlite::Database db(f.db_path);
  sqlite::Statement journal(db, "PRAGMA journal_mode");
  REQUIRE(journal.Step());
  CHECK(journal.ColumnText(0) == "wal");
  sqlite::Statement version(db, "PRAGMA user_version");
  REQUIRE(version.Step());
  CHECK(version.ColumnInt(0) == 3);
}

TEST_CASE("A database from a newer vodctl is refused") {
  TempFolder folder;
  const std::string path = (folder.path() / "state.db").string();
  sqlite::Database(path).Exec("PRAGMA user_version = 99");
  CHECK_THROWS_MATCHES(OpenSqliteStateStore(path), Error,
                       IsError(ExitCode::kIoError, "has schema version 99"));
}

TEST_CASE("A database that cannot be opened is an I/O error naming it") {
  TempFolder folder;
  const std::string path = (folder.path() / "missing" / "state.db").string();
  CHECK_THROWS_MATCHES(OpenSqliteStateStore(path), Error,
                       IsError(ExitCode::kIoError, "cannot open state database " + path));
}

TEST_CASE("Two stores on one file never claim the same chunk") {
  constexpr int kChunks = 20;
  Fixture f(kChunks);
  auto worker = [&](const std::string& owner) {
    std::unique_ptr<StateStore> store = OpenSqliteStateStore(f.db_path);
    std::vector<int> claimed;
    while (std::optional<ChunkRecord> chunk =
               store->ClaimChunk("j1", std::nullopt, owner, kLongLease)) {
      claimed.push_back(chunk->plan.index);
      REQUIRE(store->CompleteChunk("j1", ChunkLease::Of(*chunk), {{"by", owner}}));
    }
    return claimed;
  };
  auto first = std::async(std::launch::async, worker, "host:1");
  auto second = std::async(std::launch::async, worker, "host:2");
  std::vector<int> all = first.get();
  const std::vector<int> from_second = second.get();
  all.insert(all.end(), from_second.begin(), from_second.end());

  std::sort(all.begin(), all.end());
  std::vector<int> expected(kChunks);
  for (int i = 0; i < kChunks; ++i) expected[i] = i;
  CHECK(all == expected);
  for (const ChunkRecord& chunk : f.store->ListChunks("j1")) {
    CHECK(chunk.state == ChunkState::kDone);
    CHECK(chunk.attempts == 1);
  }
}

TEST_CASE("A store call waits for another connection's lock instead of failing") {
  Fixture f(1);
  std::promise<void> locked;
  auto holder = std::async(std::launch::async, [&] {
    sqlite::Database db(f.db_path);
    db.Exec("BEGIN EXCLUSIVE");
    locked.set_value();
    std::this_thread::sleep_for(1s);
    db.Exec("COMMIT");
  });
  locked.get_future().wait();
  const auto start = std::chrono::steady_clock::now();
  std::optional<ChunkRecord> chunk = f.store->ClaimChunk("j1", std::nullopt, "host:1", kLongLease);
  const auto waited = std::chrono::steady_clock::now() - start;
  holder.get();
  CHECK(chunk.has_value());
  CHECK(waited >= 800ms);
}

TEST_CASE("A lock held past the busy timeout is a temporary failure") {
  TempFolder folder;
  const std::string path = (folder.path() / "state.db").string();
  sqlite::Database holder(path);
  sqlite::Database waiter(path);
  waiter.SetBusyTimeout(50ms);
  holder.Exec("BEGIN EXCLUSIVE");
  CHECK_THROWS_MATCHES(waiter.Exec("BEGIN IMMEDIATE"), Error,
                       IsError(ExitCode::kTempFail, "state database " + path + " is locked"));
  holder.Exec("COMMIT");
  CHECK_NOTHROW(waiter.Exec("BEGIN IMMEDIATE"));
  waiter.Exec("COMMIT");
}

}  // namespace
}  // namespace vodctl
