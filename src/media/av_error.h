// Turns FFmpeg's negative return codes into vodctl::Error with context.
#pragma once

#include "vodctl/error.h"

#include <string>
#include <string_view>

namespace vodctl::media {

std::string AvErrorText(int errnum);

// Throws Error(code, "<context>: <FFmpeg's text>") when ret < 0; returns ret otherwise.
int CheckAv(int ret, ExitCode code, std::string_view context);

}  // namespace vodctl::media
