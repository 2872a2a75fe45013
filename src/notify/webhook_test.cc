#include "notify/webhook.h"

#include "notify/signature.h"

#include <catch2/catch.hpp>

#include <algorithm>

namespace vodctl::notify {
namespace {

HttpResponse Status(long status) {
  HttpResponse response;
  response.status = status;
  return response;
}

HttpResponse TransportFailure(CURLcode code) {
  HttpResponse response;
  response.transport = code;
  response.transport_error = curl_easy_strerror(code);
  return response;
}


}  // namespace

TEST_CASE("A webhook answer is delivered on 2xx, retried on 408, 429 and 5xx, else given up") {
  for (long status : {200L, 201L, 202L, 204L}) {
    CHECK(ClassifyWebhookResponse(Status(status)) == WebhookVerdict::kDelivered);
  }
  for (long status : {408L, 429L, 500L, 502L, 503L, 504L}) {
    CHECK(ClassifyWebhookResponse(Status(status)) == WebhookVerdict::kRetry);
  }
  for (long status : {301L, 400L, 401L, 403L, 404L, 410L, 422L}) {
    CHECK(ClassifyWebhookResponse(Status(status)) == WebhookVerdict::kGiveUp);
  }
}

TEST_CASE("Refused, reset and timed-out webhooks are retried; bad URLs are not") {
  for (CURLcode code : {CURLE_COULDNT_CONNECT, CURLE_RECV_ERROR, CURLE_SEND_ERROR,
                        CURLE_OPERATION_TIMEDOUT, CURLE_GOT_NOTHING}) {
    CHECK(ClassifyWebhookResponse(TransportFailure(code)) == WebhookVerdict::kRetry);
  }
  CHECK(ClassifyWebhookResponse(TransportFailure(CURLE_URL_MALFORMAT)) == WebhookVerdict::kGiveUp);
  CHECK(ClassifyWebhookResponse(TransportFailure(CURLE_PEER_FAILED_VERIFICATION)) ==
        WebhookVerdict::kGiveUp);
  CHECK(DescribeResponse(Status(503)) == "HTTP 503");
}

TEST_CASE("WebhookRequest POSTs JSON with the signature over the body and the event's ID") {
  StringBody source("{}");
  const HttpRequest request = WebhookRequest("http://h/hook", "{}", "evt_1", "job.done", "s", 7,
                                             source, std::chrono::seconds(5));
  CHECK(request.method == "POST");
  CHECK(request.timeout == std::chrono::seconds(5));
  const auto has = [&](const std::string& header) {
    return std::find(request.headers.begin(), request.headers.end(), header) !=
           request.headers.end();
  };
  CHECK(has("Vodctl-Signature: " + Signature("s", 7, "{}")));
  CHECK(has("Vodctl-Event-Id: evt_1"));
  CHECK(has("Vodctl-Event-Type: job.done"));
  CHECK(has("Content-Type: application/json"));
}

}  // namespace vodctl::notify
