// The Content-Type an object is stored with, by its key.
#pragma once

#include <string>
#include <string_view>

namespace vodctl {

// Players and CDNs serving the output straight from the bucket go by the Content-Type.
std::string ContentTypeFor(std::string_view key);

}  // namespace vodctl
