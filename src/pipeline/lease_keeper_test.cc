#include "pipeline/lease_keeper.h"

#include "vodctl/error.h"

#include <catch2/catch.hpp>

#include "fake_env.h"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace vodctl {
namespace {

using namespace std::chrono_literals;
using testing::FakeEnv;

constexpr auto kInterval = 1ms;  // real time between renewals: the test's pace
constexpr auto kLease = 60s;     // fake time: what the keeper measures with the Env

// Waits in real time until `lost` is set, at most `within`.
bool LostWithin(std::future<void>& lost, std::chrono::milliseconds within) {
  return lost.wait_for(within) == std::future_status::ready;
}

TEST_CASE("A lease keeper stops the work when its lease is taken", "[lease]") {
  FakeEnv env;
  std::promise<void> lost;
  std::future<void> lost_future = lost.get_future();
  LeaseKeeper keeper([] { return false; }, kInterval, kLease, "chunk 0", env,
                     [&] { lost.set_value(); });
  CHECK(LostWithin(lost_future, 5000ms));
}

TEST_CASE("A lease keeper rides out failed renewals for less than a lease", "[lease]") {
  FakeEnv env;
  std::atomic<int> renewals = 0;
  std::atomic<bool> failing = true;
  std::promise<void> lost;
  std::future<void> lost_future = lost.get_future();
  LeaseKeeper keeper(
      [&]() -> bool {
        ++renewals;
        if (failing) Fail(ExitCode::kTempFail, "database is busy");
        return true;
      },
      kInterval, kLease, "chunk 0", env, [&] { lost.set_value(); });
  env.Advance(59s);  // by this host's monotonic clock, not yet a whole lease unrenewed
  while (renewals < 3) std::this_thread::sleep_for(1ms);
  CHECK_FALSE(LostWithin(lost_future, 20ms));

  SECTION("a renewal that lands starts the count again") {
    failing = false;
    const int landed_after = renewals + 2;
    while (renewals < landed_after) std::this_thread::sleep_for(1ms);
    failing = true;
    env.Advance(59s);
    CHECK_FALSE(LostWithin(lost_future, 20ms));
  }
  SECTION("a whole lease without one stops the work") {
    env.Advance(1s);
    CHECK(LostWithin(lost_future, 5000ms));
  }
  SECTION("a wall clock step does not count") {
    env.StepWallClock(1h);
    CHECK_FALSE(LostWithin(lost_future, 20ms));
  }
}

}  // namespace
}  // namespace vodctl
