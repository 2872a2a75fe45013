// One webhook POST: the signed request for an event, and what its answer means.
#pragma once

#include "storage/curl_handle.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace vodctl::notify {

// The request carrying `body` (read through `source`, a StringBody over it) to `url`, signed
// with `secret` at `unix_time`, with the event's ID and type in headers too, so a receiver
// can route or deduplicate before parsing.
HttpRequest WebhookRequest(const std::string& url, const std::string& body,
                           const std::string& event_id, const std::string& type,
                           const std::string& secret, int64_t unix_time, StringBody& source,
                           std::chrono::milliseconds timeout);

enum class WebhookVerdict { kDelivered, kRetry, kGiveUp };

// 2xx: delivered. 408, 429, 5xx and transient transport failures (refused, reset, timed
// out, cut off): retry. Any other answer (a 4xx: the receiver refuses this event for good)
// or failure (a bad URL, a TLS peer that does not verify): give up.
WebhookVerdict ClassifyWebhookResponse(const HttpResponse& response);

// "HTTP 503" or libcurl's description of the failure, for logs and `status`.
std::string DescribeResponse(const HttpResponse& response);

}  // namespace vodctl::notify
