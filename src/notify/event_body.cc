#include "notify/event_body.h"

#include "util/hmac.h"
#include "vodctl/error.h"

#include <nlohmann/json.hpp>

#include <random>

namespace vodctl::notify {

std::string NewEventId() {
  std::random_device random;
  std::string bytes(16, '\0');
  for (char& byte : bytes) byte = static_cast<char>(random() & 0xff);
  return "evt_" + HexEncode(bytes);
}

std::string EventBody(const std::string& event_id, const std::string& type, int64_t sequence,
                      int64_t time_ms, const std::string& job_id, const nlohmann::json& data) {
  return nlohmann::json{{"id", event_id},
                        {"type", type},
                        {"sequence", sequence},
                        {"created", time_ms / 1000},
                        {"job", {{"id", job_id}}},
                        {"data", data}}
      .dump();
}

bool RetryMayHelp(int exit_code) {
  switch (static_cast<ExitCode>(exit_code)) {
    case ExitCode::kTempFail:
    case ExitCode::kUnavailable:
    case ExitCode::kIoError:
      return true;
    default:
      return false;
  }
}

}  // namespace vodctl::notify
