#include "notify/webhook.h"

#include "notify/signature.h"

#include <fmt/format.h>

namespace vodctl::notify {

HttpRequest WebhookRequest(const std::string& url, const std::string& body,
                           const std::string& event_id, const std::string& type,
                           const std::string& secret, int64_t unix_time, StringBody& source,
                           std::chrono::milliseconds timeout) {
  HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.headers = {"Content-Type: application/json",
                     fmt::format("{}: {}", kSignatureHeader, Signature(secret, unix_time, body)),
                     "Vodctl-Event-Id: " + event_id, "Vodctl-Event-Type: " + type};
  request.body = &source;
  request.timeout = timeout;
  return request;
}

WebhookVerdict ClassifyWebhookResponse(const HttpResponse& response) {
  if (response.transport != CURLE_OK) {
    return IsTransientTransportError(response.transport) ? WebhookVerdict::kRetry
                                                         : WebhookVerdict::kGiveUp;
  }
  if (response.status / 100 == 2) return WebhookVerdict::kDelivered;
  if (response.status / 100 == 5 || response.status == 408 || response.status == 429) {
    return WebhookVerdict::kRetry;
  }
  return WebhookVerdict::kGiveUp;
}

std::string DescribeResponse(const HttpResponse& response) {
  if (response.transport != CURLE_OK) return response.transport_error;
  return fmt::format("HTTP {}", response.status);
}

}  // namespace vodctl::notify
