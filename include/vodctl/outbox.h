// What the CMS hears: events kept in the state database's outbox, each recorded in the same
// transaction as the state change it reports, and their deliveries to webhook URLs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vodctl {

// Where a job's events go. Stored with the job (not in JobOptions: it changes no output
// byte), so a resumed or cron-driven job notifies the same receivers.
struct NotifyOptions {
  std::vector<std::string> urls;  // --notify, in the order given
  double progress_interval = 10;  // seconds between job.progress events, at most one per chunk
  double retry_for = 24 * 3600;   // seconds a delivery is retried before it is given up
  bool operator==(const NotifyOptions&) const = default;
};

// One event, as `vodctl events` shows it and webhooks carry it.
struct OutboxEvent {
  int64_t id = 0;         // the row: increases across jobs in the order events were recorded
  std::string event_id;   // "evt_" and 32 hex digits, unique; a receiver deduplicates on it
  std::string job_id;
  int64_t sequence = 0;   // 1, 2, 3... per job
  std::string type;       // job.created, job.progress, job.done, job.failed, job.retrying
  int64_t time_ms = 0;
  std::string body;       // the JSON document sent, byte for byte
};

enum class DeliveryState { kPending, kDelivered, kFailed };
const char* ToString(DeliveryState state);

// An event still to be sent to one URL.
struct PendingDelivery {
  OutboxEvent event;
  std::string url;
  int attempts = 0;
  int64_t next_attempt_ms = 0;
  int64_t give_up_at_ms = 0;
  int64_t claimed_until_ms = 0;  // a process is sending it until then (0: none)
};

// What one attempt came to.
struct DeliveryAttempt {
  DeliveryState state = DeliveryState::kPending;
  int64_t next_attempt_ms = 0;  // kPending: when to try again
  std::string error;            // why it was not delivered, for `status`
};

// A job's deliveries at a glance, for `status`.
struct DeliverySummary {
  int delivered = 0;
  int pending = 0;
  int failed = 0;
  std::string last_error;  // of the latest undelivered one, URL credentials removed
};

}  // namespace vodctl
