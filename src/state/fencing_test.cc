// Leases and the job lock against stale workers, clock steps and look-alike processes: the
// real SQLite store, with each simulated process's time and identity from a FakeEnv.
#include "state/sqlite_state_store.h"

#include <catch2/catch.hpp>

#include "fake_env.h"
#include "test_support.h"
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace vodctl {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::FakeEnv;
using testing::TempFolder;

constexpr int64_t kLeaseMs = 60'000;

// One simulated process: its Env and its own connection to the shared database.
struct Process {
  Process(const std::string& db_path, int64_t pid, const std::string& host,
          const std::string& nonce)
      : env(pid, host, nonce), store(OpenSqliteStateStore(db_path, env)) {}
  std::string owner() { return env.Self().ToString(); }

  FakeEnv env;
  std::unique_ptr<StateStore> store;
};

struct World {
  World() {
    auto setup = OpenSqliteStateStore(db_path);
    setup->CreateOrCheckJob("j1", "file:///in.mp4", "file:///out", JobOptions{});
    setup->SetChunks("j1", {{.index = 0, .end_pts = 1, .end_slot = 1, .input_frames = 1}});
  }
  ChunkRecord Chunk() { return OpenSqliteStateStore(db_path)->ListChunks("j1").at(0); }

  TempFolder folder;
  std::string db_path = (folder.path() / "state.db").string();
};

TEST_CASE("A stale worker's complete or fail changes nothing", "[fencing]") {
  World world;
  Process a(world.db_path, 100, "host-a", "0000000a");
  Process b(world.db_path, 200, "host-b", "0000000b");
  const ChunkLease a_lease =
      ChunkLease::Of(a.store->ClaimChunk("j1", 0, a.owner(), kLeaseMs).value());
  // A is paused (SIGSTOP, a VM pause) past its lease; B, on another host, takes the chunk.
  a.env.Advance(61s);
  b.env.Advance(61s);
  const ChunkRecord b_claim = b.store->ClaimChunk("j1", 0, b.owner(), kLeaseMs).value();
  CHECK(b_claim.attempts == 2);
  const ChunkLease b_lease = ChunkLease::Of(b_claim);

  // A wakes: none of its writes lands.
  CHECK_FALSE(a.store->RenewLease("j1", a_lease, kLeaseMs));
  SECTION("complete") { CHECK_FALSE(a.store->CompleteChunk("j1", a_lease, {{"by", "a"}})); }
  SECTION("fail") { CHECK_FALSE(a.store->FailChunk("j1", a_lease, "stale", false)); }
  SECTION("fail for good") { CHECK_FALSE(a.store->FailChunk("j1", a_lease, "stale", true)); }
  SECTION("release") { CHECK_FALSE(a.store->ReleaseChunk("j1", a_lease, "stopping")); }
  ChunkRecord chunk = world.Chunk();
  CHECK(chunk.state == ChunkState::kRunning);
  CHECK(chunk.lease_owner == b.owner());
  CHECK(chunk.attempts == 2);
  CHECK(chunk.lease_expiry_ms == b_claim.lease_expiry_ms);
  CHECK(chunk.error.empty());

  REQUIRE(b.store->CompleteChunk("j1", b_lease, {{"by", "b"}}));
  chunk = world.Chunk();
  CHECK(chunk.state == ChunkState::kDone);
  CHECK(chunk.result == json{{"by", "b"}});
  CHECK(chunk.attempts == 2);
  CHECK_FALSE(a.store->CompleteChunk("j1", a_lease, {{"by", "a"}}));
  CHECK(world.Chunk().result == json{{"by", "b"}});
}

TEST_CASE("A lease's token fences a reclaim by an owner of the same name", "[fencing]") {
  World world;
  Process a(world.db_path, 100, "host-a", "0000000a");
  const ChunkLease first = ChunkLease::Of(a.store->ClaimChunk("j1", 0, "old:1", kLeaseMs).value());
  a.env.Advance(61s);
  const ChunkLease second = ChunkLease::Of(a.store->ClaimChunk("j1", 0, "old:1", kLeaseMs).value());
  CHECK(second.token == first.token + 1);
  CHECK_FALSE(a.store->CompleteChunk("j1", first, json::object()));
  CHECK(a.store->CompleteChunk("j1", second, json::object()));
}

TEST_CASE("An expired lease is claimable; one that has not expired is not", "[fencing]") {
  World world;
  Process a(world.db_path, 100, "host-a", "0000000a");
  Process b(world.db_path, 200, "host-b", "0000000b");
  REQUIRE(a.store->ClaimChunk("j1", 0, a.owner(), kLeaseMs).has_value());
  b.env.Advance(59s);
  CHECK_FALSE(b.store->ClaimChunk("j1", std::nullopt, b.owner(), kLeaseMs).has_value());
  b.env.Advance(2s);
  const std::optional<ChunkRecord> taken = b.store->ClaimChunk("j1", std::nullopt, b.owner(), kLeaseMs);
  REQUIRE(taken.has_value());
  CHECK(taken->attempts == 2);
  CHECK(b.store->ListEvents("j1").back().message ==
        fmt::format("claimed by {}, attempt 2 (lease of {} expired)", b.owner(), a.owner()));
}

TEST_CASE("Processes of one host name and pid but other identities are told apart", "[fencing]") {
  // Two containers of one pod: the same host name and kernel, each its own pid namespace
  // with its worker as pid 1.
  World world;
  Process a(world.db_path, 1, "pod", "0000000a");
  Process b(world.db_path, 1, "pod", "0000000b");
  b.env.self().pid_namespace = a.env.Self().pid_namespace + 1;
  REQUIRE(a.owner() != b.owner());

  // Neither declares the other dead: b's pid 1 is itself, not a.
  CHECK(b.env.LivenessOf(a.owner()) == Liveness::kUnknown);
  CHECK(a.env.LivenessOf(b.owner()) == Liveness::kUnknown);
  CHECK(b.env.LivenessOf(b.owner()) == Liveness::kAlive);

  // Nor shares a's job lock or chunk lease.
  CHECK_FALSE(a.store->AcquireJobLock("j1", a.owner(), kLeaseMs).has_value());
  CHECK(b.store->AcquireJobLock("j1", b.owner(), kLeaseMs) == std::optional(a.owner()));
  CHECK_FALSE(b.store->RenewJobLock("j1", b.owner(), kLeaseMs));
  REQUIRE(a.store->ClaimChunk("j1", 0, a.owner(), kLeaseMs).has_value());
  CHECK_FALSE(b.store->ClaimChunk("j1", 0, b.owner(), kLeaseMs).has_value());
  CHECK_FALSE(b.store->RenewLease("j1", {0, b.owner(), 1}, kLeaseMs));

  SECTION("in one pid namespace, the pid reused by a later process") {
    // A process that shares a's pid namespace, where pid 1 now started at another time.
    Process c(world.db_path, 7, "pod", "0000000c");
    c.env.SetProcess(1, a.env.Self().start_ticks + 500);
    CHECK(c.env.LivenessOf(a.owner()) == Liveness::kGone);
    // What is gone is taken at once, without waiting for expiry.
    CHECK_FALSE(c.store->AcquireJobLock("j1", c.owner(), kLeaseMs).has_value());
    CHECK(c.store->ClaimChunk("j1", 0, c.owner(), kLeaseMs).has_value());
    CHECK(c.store->ListEvents("j1").back().message ==
          fmt::format("claimed by {}, attempt 2 ({} is gone)", c.owner(), a.owner()));
  }
  SECTION("after the host rebooted") {
    Process c(world.db_path, 1, "pod", "0000000c");
    c.env.self().boot_id = "0ther000";
    CHECK(c.env.LivenessOf(a.owner()) == Liveness::kGone);
    CHECK_FALSE(c.store->AcquireJobLock("j1", c.owner(), kLeaseMs).has_value());
  }
}

TEST_CASE("A wall clock step lets no process on the same host take a live holder's lease",
          "[fencing]") {
  World world;
  Process a(world.db_path, 100, "host-a", "0000000a");
  REQUIRE(a.store->ClaimChunk("j1", 0, a.owner(), kLeaseMs).has_value());
  REQUIRE_FALSE(a.store->AcquireJobLock("j1", a.owner(), kLeaseMs).has_value());

  SECTION("on the same host, liveness from identity wins") {
    Process b(world.db_path, 200, "host-a", "0000000b");
    b.env.SetProcess(100, a.env.Self().start_ticks);  // a is running
    b.env.StepWallClock(1h);  // NTP steps b's clock far past a's lease
    CHECK(b.env.LivenessOf(a.owner()) == Liveness::kAlive);
    CHECK_FALSE(b.store->ClaimChunk("j1", std::nullopt, b.owner(), kLeaseMs).has_value());
    CHECK(b.store->AcquireJobLock("j1", b.owner(), kLeaseMs) == std::optional(a.owner()));
    CHECK(world.Chunk().lease_owner == a.owner());

    // Once a has ended, it is gone: its chunk is free at once, however the clock stands.
    b.env.EndProcess(100);
    CHECK(b.store->ClaimChunk("j1", std::nullopt, b.owner(), kLeaseMs).has_value());
  }
  SECTION("on another host, expiry rules") {
    Process c(world.db_path, 100, "host-c", "0000000c");
    c.env.SetProcess(100, a.env.Self().start_ticks);  // a look-alike of a's pid on c's host
    c.env.StepWallClock(1h);
    CHECK(c.env.LivenessOf(a.owner()) == Liveness::kUnknown);
    CHECK(c.store->ClaimChunk("j1", std::nullopt, c.owner(), kLeaseMs).has_value());
    CHECK_FALSE(c.store->AcquireJobLock("j1", c.owner(), kLeaseMs).has_value());
  }
}

TEST_CASE("A job lock holder paused past its lock changes no job or step state", "[fencing]") {
  World world;
  Process a(world.db_path, 100, "host-a", "0000000a");
  Process b(world.db_path, 200, "host-b", "0000000b");
  REQUIRE_FALSE(a.store->AcquireJobLock("j1", a.owner(), kLeaseMs).has_value());
  CHECK(a.store->SetJobState("j1", JobState::kRunning, "", ExitCode::kOk, a.owner()));
  CHECK(a.store->SetStepState("j1", Step::kSplit, StepState::kRunning, a.owner()));
  b.env.Advance(61s);
  REQUIRE_FALSE(b.store->AcquireJobLock("j1", b.owner(), kLeaseMs).has_value());
  CHECK(b.store->SetStepState("j1", Step::kSplit, StepState::kDone, b.owner()));
  CHECK(b.store->SetJobState("j1", JobState::kDone, "", ExitCode::kOk, b.owner()));

  // a wakes and would mark the job interrupted, or failed: nothing lands.
  CHECK_FALSE(a.store->SetStepState("j1", Step::kSplit, StepState::kPending, a.owner()));
  CHECK_FALSE(a.store->SetJobState("j1", JobState::kFailed, "stale", ExitCode::kDataError, a.owner()));
  const JobRecord job = a.store->GetJob("j1");
  CHECK(job.state == JobState::kDone);
  CHECK(job.error.empty());
  CHECK(job.steps.at(Step::kSplit) == StepState::kDone);
  // Without an owner a write is unconditional, as a lone transcode-chunk worker's is.
  CHECK(a.store->SetStepState("j1", Step::kTranscode, StepState::kRunning));
}

TEST_CASE("An owner in the old host:pid form is judged by its lease's expiry", "[fencing]") {
  World world;
  Process a(world.db_path, 100, "host-a", "0000000a");
  REQUIRE(a.store->ClaimChunk("j1", 0, "host-a:100", kLeaseMs).has_value());
  CHECK(a.env.LivenessOf("host-a:100") == Liveness::kUnknown);
  CHECK_FALSE(a.store->ClaimChunk("j1", 0, a.owner(), kLeaseMs).has_value());
  a.env.Advance(61s);
  CHECK(a.store->ClaimChunk("j1", 0, a.owner(), kLeaseMs).has_value());
}

}  // namespace
}  // namespace vodctl
