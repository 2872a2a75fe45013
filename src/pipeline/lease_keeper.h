// Keeps a lease alive while work runs: renews it on a background thread every `interval`.
// When a renewal finds the lease taken by someone else, or no renewal has landed for a whole
// lease by this host's monotonic clock (the database unreachable: the lease may have expired
// and been taken), `on_lost` runs; by default the process is asked to stop (the work's stop
// checks turn that into a clean exit): another worker may own the work now. Every write the
// work makes is fenced by the lease anyway; this only stops the work early.
#pragma once

#include "util/interrupt.h"
#include "vodctl/env.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace vodctl {

class LeaseKeeper {
 public:
  // `renew` returns false when the lease was lost, and may throw (a busy database), which is
  // retried. `what` names the lease in messages.
  LeaseKeeper(
      std::function<bool()> renew, std::chrono::milliseconds interval,
      std::chrono::milliseconds lease, std::string what, Env& env = Env::Default(),
      std::function<void()> on_lost = [] { RequestStop("lease lost"); });
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

 private:
  void Run();

  std::function<bool()> renew_;
  std::chrono::milliseconds interval_;
  std::chrono::milliseconds lease_;
  std::string what_;
  Env& env_;
  std::function<void()> on_lost_;
  // When the lease was last known held (taken just before the keeper starts, or renewed), by
  // the monotonic clock: a comparison made on this host only, so wall clock steps are moot.
  std::chrono::steady_clock::time_point last_renewed_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace vodctl
