#include "pipeline/publish_tag.h"

#include <nlohmann/json.hpp>

#include "util/sha256.h"
#include "vodctl/error.h"

namespace vodctl {

std::string PublishTag(const JobRecord& job) {
  if (!job.result.is_object() || !job.result.contains("split")) {
    Fail(ExitCode::kSoftware, "job '{}': no publish tag before split has run", job.id);
  }
  nlohmann::json options = job.options;
  for (const char* not_in_the_media : {"tmp", "keep_tmp", "source_policy", "publish"}) {
    options.erase(not_in_the_media);
  }
  const nlohmann::json inputs = {
      {"version", VODCTL_VERSION}, {"options", options}, {"split", job.result["split"]}};
  constexpr size_t kTagDigits = 10;  // 40 bits: a clash between two runs of one output is ~1e-12
  return Sha256::Of(inputs.dump()).substr(0, kTagDigits);
}

std::string MediaNames::Segment(int64_t number, SegmentFormat format) const {
  return fmt::format("seg_{}_{:05d}.{}", tag_, number, format == SegmentFormat::kFmp4 ? "m4s" : "ts");
}

std::string MediaNames::Init() const { return fmt::format("init_{}.mp4", tag_); }

std::string MediaNames::DashSegmentTemplate() const {
  return fmt::format("seg_{}_$Number%05d$.m4s", tag_);
}

std::string MediaNames::SpriteStem() const { return "sprite_" + tag_; }

}  // namespace vodctl
