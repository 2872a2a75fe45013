// An Env for unit tests: clocks that move only when told, and processes that exist only when
// told, so lease logic is tested without sleeps or real processes.
#pragma once

#include "vodctl/env.h"

#include <atomic>
#include <map>
#include <utility>

namespace vodctl::testing {

class FakeEnv : public Env {
 public:
  // A process `pid` on host "host" of boot "b00710a1", as if just started.
  explicit FakeEnv(int64_t pid = 100, std::string host = "host", std::string nonce = "0000000a") {
    self_ = {.host = std::move(host), .pid = pid, .boot_id = "b00710a1", .start_ticks = 1000,
             .pid_namespace = 4026531836, .nonce = std::move(nonce)};
    processes_[self_.pid] = self_.start_ticks;
  }

  int64_t WallMs() override { return wall_ms_; }
  std::chrono::steady_clock::time_point MonotonicNow() override {
    return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(monotonic_));
  }
  const ProcessIdentity& Self() override { return self_; }
  std::optional<uint64_t> StartTicksOf(int64_t pid) override {
    auto found = processes_.find(pid);
    if (found == processes_.end()) return std::nullopt;
    return found->second;
  }

  // Time passes: both clocks move.
  void Advance(std::chrono::milliseconds by) {
    wall_ms_ += by.count();
    monotonic_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(by).count();
  }
  // NTP steps the wall clock; the monotonic clock does not move.
  void StepWallClock(std::chrono::milliseconds by) { wall_ms_ += by.count(); }
  // What this fake host's kernel knows of: a process `pid` started at `start_ticks`, or none.
  void SetProcess(int64_t pid, uint64_t start_ticks) { processes_[pid] = start_ticks; }
  void EndProcess(int64_t pid) { processes_.erase(pid); }
  ProcessIdentity& self() { return self_; }

 private:
  // Atomic: a LeaseKeeper's thread reads the clocks while the test moves them.
  std::atomic<int64_t> wall_ms_ = 1'800'000'000'000;
  std::atomic<std::chrono::steady_clock::rep> monotonic_ = 0;
  ProcessIdentity self_;
  std::map<int64_t, uint64_t> processes_;
};

}  // namespace vodctl::testing
