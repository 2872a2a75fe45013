// Keeps a lease alive while work runs: renews it on a background thread every `interval`.
// When a renewal finds the lease taken by someone else, the process is asked to stop (the
// work's stop checks turn that into a clean exit 75): another worker now owns the work.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace vodctl {

class LeaseKeeper {
 public:
  // `renew` returns false when the lease was lost. `what` names the lease in messages.
  LeaseKeeper(std::function<bool()> renew, std::chrono::milliseconds interval, std::string what);
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

 private:
  void Run();

  std::function<bool()> renew_;
  std::chrono::milliseconds interval_;
  std::string what_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace vodctl
