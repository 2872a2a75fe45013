// Delivers the outbox: a background thread with its own state connection POSTs each pending
// event to its URL, in order per job and URL, retrying with exponential backoff and jitter
// until the delivery's give-up time. A receiver that is slow or down never holds up the
// transcode: requests time out quickly and the work is only ever waited for in Finish().
//
// Every vodctl process that opens a state database runs one, so whatever an earlier process
// left pending (it was killed, the receiver was down) goes out with the next command.
#pragma once

#include "util/backoff.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>

namespace vodctl {
class CurlTransport;
class StateStore;
}  // namespace vodctl

namespace vodctl::notify {

struct SenderOptions {
  std::string state_path;
  std::string secret;  // signs every body; never logged
  std::chrono::milliseconds request_timeout{5'000};
  // Between attempts of one delivery (RetryPolicy::attempts is unused: the give-up time
  // bounds the retries).
  RetryPolicy backoff{0, std::chrono::seconds(1), std::chrono::minutes(10)};
  std::chrono::milliseconds poll_interval{250};  // for events other processes record
  // How long Finish() keeps delivering what falls due, to receivers that answer...
  std::chrono::milliseconds finish_budget{10'000};
  // ...and how long a request may go unanswered then before it is cut off and its receiver
  // left for later.
  std::chrono::milliseconds finish_grace{500};
};

class OutboxSender {
 public:
  explicit OutboxSender(SenderOptions options);
  ~OutboxSender();  // Finish()
  OutboxSender(const OutboxSender&) = delete;
  OutboxSender& operator=(const OutboxSender&) = delete;

  // Delivers what is due or falls due within the finish budget, then stops the thread. A
  // receiver that does not answer (refused, timed out, slower than the grace) is left for a
  // later process; one that answers 5xx is retried within the budget.
  void Finish();

 private:
  using Clock = std::chrono::steady_clock;

  void Run();
  // While finishing: whether anything still falls due before the deadline; waits until the
  // earliest does.
  bool WaitForMoreDue(StateStore& state);
  // Sends what is due by `until_ms`; returns whether anything was.
  bool SendDue(StateStore& state, CurlTransport& transport, int64_t until_ms);
  bool finishing() const { return finishing_.load(); }

  SenderOptions options_;
  std::atomic<bool> finishing_{false};
  std::atomic<int64_t> finish_deadline_ms_{0};   // unix ms; only meaningful when finishing
  std::atomic<Clock::rep> request_started_{0};  // steady clock ticks of the transfer's start
  std::atomic<bool> in_flight_{false};
  std::atomic<bool> cut_off_{false};  // Finish() interrupted the transfer in flight
  std::atomic<CurlTransport*> transport_{nullptr};  // the thread's, while it runs
  std::set<std::string> unresponsive_;  // URLs that gave no answer while finishing
  // Attempts this process made, per event row and URL: a new process starts its backoff
  // afresh, so a receiver back up hears the next command at once, not after hours.
  std::map<std::pair<int64_t, std::string>, int> attempts_here_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool done_ = false;  // Run() returned
  std::thread thread_;
};

}  // namespace vodctl::notify
