#include "notify/outbox_sender.h"

#include "notify/redact_url.h"
#include "notify/webhook.h"
#include "storage/curl_handle.h"
#include "util/interrupt.h"
#include "vodctl/log.h"
#include "vodctl/state_store.h"

#include <algorithm>
#include <random>

namespace vodctl::notify {
namespace {

// Deliveries read per query: enough to keep a fast receiver busy, few enough that events
// recorded meanwhile are picked up soon.
constexpr int kBatch = 32;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool DidNotAnswer(const HttpResponse& response) {
  return response.transport == CURLE_OPERATION_TIMEDOUT ||
         response.transport == CURLE_ABORTED_BY_CALLBACK;
}

}  // namespace

OutboxSender::OutboxSender(SenderOptions options)
    : options_(std::move(options)), thread_([this] { Run(); }) {}

OutboxSender::~OutboxSender() { Finish(); }

void OutboxSender::Finish() {
  if (!thread_.joinable()) return;
  finish_started_ = Clock::now().time_since_epoch().count();
  finish_deadline_ms_ = NowMs() + options_.finish_budget.count();
  finishing_ = true;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

bool OutboxSender::Abandon() const {
  if (!finishing()) return false;
  const Clock::rep since = std::max(request_started_.load(), finish_started_.load());
  return Clock::now() - Clock::time_point(Clock::duration(since)) > options_.finish_grace;
}

void OutboxSender::Run() {
  try {
    std::unique_ptr<StateStore> state = OpenSqliteStateStore(options_.state_path);
    CurlTransport transport("", [this] { return Abandon(); });
    while (true) {
      const bool sent = SendDue(*state, transport);
      if (finishing()) {
        if (!WaitForMoreDue(*state)) return;
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
    if (StopRequested()) return;
    log::Info("notifications: {}; what is not delivered yet waits for the next vodctl",
              error.what());
  }
}

bool OutboxSender::WaitForMoreDue(StateStore& state) {
  const int64_t deadline = finish_deadline_ms_.load();
  if (NowMs() >= deadline) return false;
  int64_t earliest = deadline;
  bool any = false;
  for (const PendingDelivery& delivery : state.DueDeliveries(deadline, kBatch)) {
    if (unresponsive_.count(delivery.url) > 0) continue;
    any = true;
    earliest = std::min(earliest, delivery.next_attempt_ms);
  }
  if (!any) return false;
  const int64_t wait_ms = std::clamp<int64_t>(earliest - NowMs(), 0, 100);
  if (wait_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
  return true;
}

bool OutboxSender::SendDue(StateStore& state, CurlTransport& transport) {
  static thread_local std::mt19937_64 random{std::random_device()()};
  bool sent = false;
  for (const PendingDelivery& delivery : state.DueDeliveries(NowMs(), kBatch)) {
    if (unresponsive_.count(delivery.url) > 0) continue;
    if (finishing() && NowMs() >= finish_deadline_ms_.load()) break;
    const std::string shown_url = RedactUrl(delivery.url);
    StringBody source(delivery.event.body);
    request_started_ = Clock::now().time_since_epoch().count();
    const HttpResponse response = transport.Perform(WebhookRequest(
        delivery.url, delivery.event.body, delivery.event.event_id, delivery.event.type,
        options_.secret, NowMs() / 1000, source, options_.request_timeout));
    sent = true;
    const int attempt = delivery.attempts + 1;
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
            now + BackoffDelay(options_.backoff, attempt, jitter).count();
        outcome.error = fmt::format("{} attempt {}: {}", shown_url, attempt, what);
        log::Debug("notify: {}; retrying", outcome.error);
        if (finishing() && DidNotAnswer(response)) unresponsive_.insert(delivery.url);
        break;
      }
    }
    state.RecordDelivery(delivery.event.id, delivery.url, outcome);
  }
  return sent;
}

}  // namespace vodctl::notify
