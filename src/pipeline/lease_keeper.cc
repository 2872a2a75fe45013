#include "pipeline/lease_keeper.h"

#include "vodctl/log.h"

namespace vodctl {

LeaseKeeper::LeaseKeeper(std::function<bool()> renew, std::chrono::milliseconds interval,
                         std::chrono::milliseconds lease, std::string what, Env& env,
                         std::function<void()> on_lost)
    : renew_(std::move(renew)),
      interval_(interval),
      lease_(lease),
      what_(std::move(what)),
      env_(env),
      on_lost_(std::move(on_lost)),
      last_renewed_(env_.MonotonicNow()) {
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
        on_lost_();
        return;
      }
      last_renewed_ = env_.MonotonicNow();
    } catch (const std::exception& error) {
      const auto unrenewed = env_.MonotonicNow() - last_renewed_;
      if (unrenewed >= lease_) {
        log::Info("{}: not renewed for {} s, a whole lease: another worker may hold it now; "
                  "stopping (last error: {})",
                  what_, std::chrono::duration_cast<std::chrono::seconds>(unrenewed).count(),
                  error.what());
        on_lost_();
        return;
      }
      // A busy database is no reason to give up the work: the lease has slack for retries.
      log::Info("{}: renewing the lease failed, will retry: {}", what_, error.what());
    }
  }
}

}  // namespace vodctl
