// Cooperative stopping. SIGTERM (a preemptible VM's notice) and SIGINT ask the work to stop:
// long loops call ThrowIfStopRequested() between frames or packets, the step unwinds, leases
// are released and vodctl exits 75. A second signal ends the process at once; that is still
// safe, because every state change is a transaction and every artefact an atomic rename.
#pragma once

#include <string_view>

namespace vodctl {

void InstallStopSignalHandlers();
// Asks the work to stop, as a signal would (also used when a lease is lost).
void RequestStop(const char* reason);
bool StopRequested();
// Throws Error(kTempFail, "<what>: stopped (<reason>)") when a stop was requested.
void ThrowIfStopRequested(std::string_view what);

}  // namespace vodctl
