// Storage URLs as text, apart from opening anything, so that the parsing can be tested and
// fuzzed on its own.
#pragma once

#include <filesystem>
#include <string>

namespace vodctl {

// The local folder a storage URL names: a path as given, or a file:// URL's percent-decoded
// path. Error(kUsage) for another scheme, a file:// URL naming a host, or a bad escape.
std::filesystem::path LocalPathOf(const std::string& url);

}  // namespace vodctl
