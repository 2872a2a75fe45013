#include "notify/event_feed.h"

#include "util/interrupt.h"
#include "vodctl/state_store.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <thread>

namespace vodctl::notify {
namespace {

std::string Summary(const std::string& type, const nlohmann::json& data) {
  if (type == "job.progress") {
    return fmt::format("{}% ({} of {} chunks)", data.value("percent", 0.0),
                       data.value("chunks_done", 0), data.value("chunks_total", 0));
  }
  if (type == "job.failed") {
    return fmt::format("exit {}{}: {}", data.value("exit_code", 0),
                       data.value("retry_may_help", false) ? ", may succeed again" : "",
                       data.value("error", ""));
  }
  if (type == "job.retrying") {
    return data.contains("chunk") ? fmt::format("chunk {}: {}", data.value("chunk", 0),
                                                data.value("error", ""))
                                  : data.value("reason", "");
  }
  if (type == "job.created") return data.value("source", "") + " -> " + data.value("output", "");
  if (type == "job.done") return data.value("output", "");
  return "";
}

}  // namespace

void ReadFeed(StateStore& state, const FeedFilter& filter, bool follow,
              const std::function<void(const OutboxEvent&)>& show,
              std::chrono::milliseconds poll_interval) {
  int64_t after_row = 0;
  while (true) {
    for (const OutboxEvent& event :
         state.ListOutbox(filter.job_id, filter.after_sequence, after_row)) {
      show(event);
      after_row = event.id;
    }
    if (!follow || StopRequested()) return;
    std::this_thread::sleep_for(poll_interval);
    if (StopRequested()) return;
  }
}

std::string EventLine(const OutboxEvent& event) {
  const auto time = std::chrono::system_clock::time_point(std::chrono::milliseconds(event.time_ms));
  const nlohmann::json body =
      nlohmann::json::parse(event.body, nullptr, /*allow_exceptions=*/false);
  const nlohmann::json data = body.is_object() ? body.value("data", nlohmann::json::object())
                                               : nlohmann::json::object();
  std::string line = fmt::format("{:%Y-%m-%dT%H:%M:%SZ} {} #{} {}",
                                 std::chrono::floor<std::chrono::seconds>(time), event.job_id,
                                 event.sequence, event.type);
  const std::string summary = data.is_object() ? Summary(event.type, data) : "";
  if (!summary.empty()) line += " " + summary;
  return line;
}

}  // namespace vodctl::notify
