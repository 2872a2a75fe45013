// What `vodctl status` shows: a JSON object per job (the contract scripts rely on) and a
// human table.
#pragma once

#include "vodctl/state_store.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace vodctl {

// job, state, error, source, output, options, steps, chunks, source and result metadata,
// and the bytes the job holds in tmp.
nlohmann::json JobStatusJson(StateStore& state, const JobRecord& job);

// One line per job: ID, state, current step, chunks done/total, output.
std::string JobStatusTable(StateStore& state, const std::vector<JobRecord>& jobs);

}  // namespace vodctl
