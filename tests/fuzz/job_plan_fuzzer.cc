// plan.json and results/NNNNN.json as `vodctl resume --tmp` reads them back from tmp storage
// that another host (or anyone with access to the bucket) wrote.
#include "fuzz_input.h"
#include "pipeline/job_mirror.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  vodctl::fuzz::Refusable([&] { vodctl::ParseMirroredPlan(text, "fuzz-job", "plan.json"); });
  vodctl::fuzz::Refusable([&] { vodctl::ParseMirroredChunkResult(text, "results/00000.json"); });
  return 0;
}
