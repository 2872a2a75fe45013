// The JSON document an event is, the same in the webhook's body and in `vodctl events
// --json`:
//   {"id":"evt_…","type":"job.done","sequence":7,"created":1733550000,
//    "job":{"id":"…"},"data":{…}}
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>

namespace vodctl::notify {

// "evt_" and 32 random hex digits: unique across hosts and databases without coordination.
std::string NewEventId();

std::string EventBody(const std::string& event_id, const std::string& type, int64_t sequence,
                      int64_t time_ms, const std::string& job_id, const nlohmann::json& data);

// Whether a failed job may succeed when run again, by its exit code: interruptions, services
// that were unreachable and I/O errors may; bad sources, usage errors and bugs will not.
bool RetryMayHelp(int exit_code);

}  // namespace vodctl::notify
