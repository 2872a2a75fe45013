#include "notify/outbox_sender.h"

#include "notify/redact_url.h"
#include "notify/webhook.h"
#include "storage/curl_handle.h"
#include "util/interrupt.h"
#include "vodctl/log.h"
#include "vodctl/state_store.h"

#include <algorithm>
#include <limits>
#include <random>

namespace vodctl::notify {
namespace {

// Deliveries read per query: enough to keep a fast receiver busy, few enough that events
// recorded meanwhile are picked up soon.
constexpr int kBatch = 32;
// A claim outlasts the request by this, for the time around it (the database, the clock).
constexpr int64_t kClaimMarginMs = 1'000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Refused, reset, timed out: no HTTP answer at all. Such a receiver is down or hung, and
// waiting for it would only hold up the exit (of a `status`, say).
bool DidNotAnswer(const HttpResponse& response) { return response.transport != CURLE_OK; }

}  // namespace

OutboxSender::OutboxSender(SenderOptions options)
    : options_(std::move(options)), thread_([this] { Run(); }) {}

OutboxSender::~OutboxSender() { Finish(); }

void OutboxSender::Finish() {
  if (!thread_.joinable()) return;
  finish_deadline_ms_ = NowMs() + options_.finish_budget.count();
  finishing_ = true;
  std::unique_lock lock(mutex_);
  stop_ = true;
  wake_.notify_all();
  // A transfer that has waited the grace since it started is cut off: a receiver that has
  // not answered by then (one busy with the job's first event all along, say) is left for a
  // later process.
  while (!wake_.wait_for(lock, std::chrono::milliseconds(20), [this] { return done_; })) {
    const Clock::time_point started(Clock::duration(request_started_.load()));
    if (in_flight_ && Clock::now() - started > options_.finish_grace) {
      if (CurlTransport* transport = transport_.load()) {
        cut_off_ = true;
        transport->Interrupt();
      }
    }
  }
  lock.unlock();
  thread_.join();
}

void OutboxSender::Run() {
  CurlTransport transport;
  transport_ = &transport;
  try {
    std::unique_ptr<StateStore> state = OpenSqliteStateStore(options_.state_path);
    // What earlier processes left pending goes out now, whatever their backoff said.
    SendDue(*state, transport, std::numeric_limits<int64_t>::max());
    while (true) {
      const bool sent = SendDue(*state, transport, NowMs());
      if (finishing()) {
        if (!WaitForMoreDue(*state)) break;
        continue;
      }
      if (!sent) {
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, options_.poll_interval, [this] { return stop_; });
      }
    }
  } catch (const std::exception& error) {
    // What is left stays pending in the outbox for the next vodctl on this state. The
    // message of an interrupted request names its URL, which may hold credentials.
    if (!StopRequested()) {
      log::Info("notifications: {}; what is not delivered yet waits for the next vodctl",
                error.what());
    }
  }
  // Under the mutex, which Finish() holds while it interrupts: once this is null, the
  // transport can go.
  std::lock_guard lock(mutex_);
  transport_ = nullptr;
  done_ = true;
  wake_.notify_all();
}

bool OutboxSender::WaitForMoreDue(StateStore& state) {
  const int64_t deadline = finish_deadline_ms_.load();
  if (NowMs() >= deadline) return false;
  int64_t earliest = deadline;
  bool any = false;
  for (const PendingDelivery& delivery : state.DueDeliveries(deadline, kBatch)) {
    if (unresponsive_.count(delivery.url) > 0) continue;
    any = true;
    earliest = std::min(earliest, std::max(delivery.next_attempt_ms, delivery.claimed_until_ms));
  }
  if (!any) return false;
  const int64_t wait_ms = std::clamp<int64_t>(earliest - NowMs(), 0, 100);
  if (wait_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
  return true;
}

bool OutboxSender::SendDue(StateStore& state, CurlTransport& transport, int64_t until_ms) {
  static thread_local std::mt19937_64 random{std::random_device()()};
  bool sent = false;
  // Claimed for longer than a request can take, so no other process sends it meanwhile.
  const int64_t lease_ms = options_.request_timeout.count() + kClaimMarginMs;
  for (const PendingDelivery& delivery : state.DueDeliveries(until_ms, kBatch)) {
    if (unresponsive_.count(delivery.url) > 0) continue;
    if (finishing() && NowMs() >= finish_deadline_ms_.load()) break;
    if (!state.ClaimDelivery(delivery.event.id, delivery.url, lease_ms)) continue;
    const std::string shown_url = RedactUrl(delivery.url);
    StringBody source(delivery.event.body);
    request_started_ = Clock::now().time_since_epoch().count();
    in_flight_ = true;
    const HttpResponse response = transport.Perform(WebhookRequest(
        delivery.url, delivery.event.body, delivery.event.event_id, delivery.event.type,
        options_.secret, NowMs() / 1000, source, options_.request_timeout));
    in_flight_ = false;
    const bool cut_off = cut_off_.exchange(false);
    sent = true;
    const int attempt = delivery.attempts + 1;
    const int attempt_here = ++attempts_here_[{delivery.event.id, delivery.url}];
    const std::string what = DescribeResponse(response);
    DeliveryAttempt outcome;
    switch (ClassifyWebhookResponse(response)) {
      case WebhookVerdict::kDelivered:
        outcome.state = DeliveryState::kDelivered;
        log::Debug("notify {}: {} #{} delivered", shown_url, delivery.event.type,
                   delivery.event.sequence);
        break;
      case WebhookVerdict::kGiveUp:
        outcome.state = DeliveryState::kFailed;
        outcome.error = fmt::format("{} refused {} ({}): {}", shown_url, delivery.event.type,
                                    delivery.event.event_id, what);
        log::Info("notify: {}; not retried", outcome.error);
        break;
      case WebhookVerdict::kRetry: {
        const int64_t now = NowMs();
        if (now >= delivery.give_up_at_ms) {
          outcome.state = DeliveryState::kFailed;
          outcome.error = fmt::format("{} gave up on {} ({}) after {} attempts: {}", shown_url,
                                      delivery.event.type, delivery.event.event_id, attempt,
                                      what);
          log::Info("notify: {}", outcome.error);
          break;
        }
        const double jitter = std::uniform_real_distribution<double>(0, 1)(random);
        outcome.state = DeliveryState::kPending;
        outcome.next_attempt_ms =
            now + BackoffDelay(options_.backoff, attempt_here, jitter).count();
        outcome.error = fmt::format("{} attempt {}: {}", shown_url, attempt, what);
        log::Debug("notify: {}; retrying", outcome.error);
        if (cut_off || (finishing() && DidNotAnswer(response))) {
          unresponsive_.insert(delivery.url);
        }
        break;
      }
    }
    state.RecordDelivery(delivery.event.id, delivery.url, outcome);
  }
  return sent;
}

}  // namespace vodctl::notify
