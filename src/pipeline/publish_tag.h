// The publish tag: ten hex digits in the name of every media object a job writes
// (seg_<tag>_00003.m4s), so that no name ever stands for two contents. A CDN may then cache
// media for good, and a job re-run into the same output with other options (a new ladder, a
// fixed source) writes new names beside the old ones instead of changing bytes under them.
#pragma once

#include <string>

#include "vodctl/job_state.h"

namespace vodctl {

// A digest of what decides the media's bytes: vodctl's version, the job's options but those
// that do not touch the media (tmp, keep_tmp, the source policy, the publish policy) and the
// checksums of what split read from the source. The same on every host and after a resume;
// Error(kSoftware) before split has recorded its checksums.
std::string PublishTag(const JobRecord& job);

// Output names with the tag in them.
class MediaNames {
 public:
  explicit MediaNames(std::string tag) : tag_(std::move(tag)) {}
  const std::string& tag() const { return tag_; }
  std::string Segment(int64_t number, SegmentFormat format) const;  // seg_<tag>_00003.m4s
  std::string Init() const;                                         // init_<tag>.mp4
  // The DASH SegmentTemplate's media attribute for the same segments.
  std::string DashSegmentTemplate() const;                          // seg_<tag>_$Number%05d$.m4s
  std::string SpriteStem() const;                                   // sprite_<tag>

 private:
  std::string tag_;
};

}  // namespace vodctl
