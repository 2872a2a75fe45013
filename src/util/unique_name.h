// Names no other writer picks, for temporary files in folders that many processes share.
#pragma once

#include <string>
#include <string_view>

namespace vodctl {

// "<host>-<pid>-<nonce>-<n>": unique across hosts sharing a folder (over NFS, say) by the
// host name, across the processes of one host by the pid, and across containers where every
// process is PID 1 and hosts named alike by the nonce, 64 random bits drawn once per process;
// n counts the names of this process. The host name is cut to 64 characters of [A-Za-z0-9.-].
std::string UniqueName();

// The host-pid-nonce part of UniqueName(), the same for the whole process.
const std::string& ProcessTag();

// `name` with every character but [A-Za-z0-9.-] replaced by '_', cut to 64 characters.
std::string HostNameForFiles(std::string_view name);

}  // namespace vodctl
