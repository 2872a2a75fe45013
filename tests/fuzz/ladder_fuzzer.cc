// The --ladder spec parser. Whatever it accepts must print back (FormatLadder) to a spec that
// parses to the same ladder, because the job's options are stored that way.
#include <cstdlib>

#include "fuzz_input.h"
#include "vodctl/job_options.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vodctl::fuzz::Refusable([&] {
    const std::vector<vodctl::RungSpec> ladder = vodctl::ParseLadder(vodctl::fuzz::Text(data, size));
    if (vodctl::ParseLadder(vodctl::FormatLadder(ladder)) != ladder) std::abort();
  });
  return 0;
}
