// Scrubbing previews: thumbnails/<sheet_stem>_NNNNN.jpg sheets and thumbnails/thumbnails.vtt in the
// output, a thumbnail of the first frame of every segment, taken from the smallest rendition.
#pragma once

#include "pipeline/job_context.h"

namespace vodctl {

// Reads the rendition's joined file in tmp (concat's output) and decodes only the key frames
// that start segments: each is an IDR, so it decodes alone, and it is the frame the cue starts
// with. `sheet_stem` names the sheets (MediaNames::SpriteStem).
void WriteThumbnails(JobContext& context, const std::string& sheet_stem, const Rendition& rendition);

inline constexpr char kThumbnailFolder[] = "thumbnails";

}  // namespace vodctl
