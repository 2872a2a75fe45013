// `vodctl events`: the outbox read back as a feed, the same events the webhooks carry.
#pragma once

#include "vodctl/outbox.h"

#include <chrono>
#include <functional>
#include <string>

namespace vodctl {
class StateStore;
}  // namespace vodctl

namespace vodctl::notify {

struct FeedFilter {
  std::string job_id;          // empty: every job
  int64_t after_sequence = 0;  // --since: only events numbered above this in their job
};

// Hands `show` every event that passes the filter, oldest first; with `follow`, keeps
// polling for new ones until a stop is requested (SIGINT, SIGTERM).
void ReadFeed(StateStore& state, const FeedFilter& filter, bool follow,
              const std::function<void(const OutboxEvent&)>& show,
              std::chrono::milliseconds poll_interval = std::chrono::milliseconds(200));

// "2026-12-07T01:02:03Z j1 #3 job.progress 50% (8 of 16 chunks)".
std::string EventLine(const OutboxEvent& event);

}  // namespace vodctl::notify
