#include "pipeline/lease_keeper.h"

#include "util/interrupt.h"
#include "vodctl/log.h"

namespace vodctl {

LeaseKeeper::LeaseKeeper(std::function<bool()> renew, std::chrono::milliseconds interval,
                         std::string what)
    : renew_(std::move(renew)), interval_(interval), what_(std::move(what)) {
  thread_ = std::thread([this] { Run(); });
}

LeaseKeeper::~LeaseKeeper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void LeaseKeeper::Run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    try {
      if (!renew_()) {
        log::Info("{}: lease lost to another worker, stopping", what_);
        RequestStop("lease lost");
        return;
      }
    } catch (const std::exception& error) {
      // A busy database is no reason to give up the work: the lease has slack for retries.
      log::Info("{}: renewing the lease failed, will retry: {}", what_, error.what());
    }
  }
}

}  // namespace vodctl
