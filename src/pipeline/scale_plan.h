// Which picture each rendition of a ladder is scaled from. Scaling a 1080p picture down costs
// about twice as much as scaling the 720p rendition's picture to the same size, so the smaller
// rungs start from a larger rung's picture where that loses nothing a viewer would see.
#pragma once

#include "pipeline/rendition.h"

#include <cstddef>
#include <optional>
#include <vector>

namespace vodctl {

struct ScaleStep {
  size_t rendition;             // index into the ladder
  std::optional<size_t> from;   // the rendition scaled from; none: the decoded picture
};

// The steps in the order to take them: tallest rendition first, so every `from` is made before
// it is used. A rendition is scaled from the smallest taller rendition whose height is at least
// 1.5 times its own (and which is no narrower): that rung's own scaling filter cuts off well
// above the frequencies the smaller rung can show, so the second scaling sees what a direct one
// would. Otherwise it is scaled from the decoded picture. Pure: every host plans the same
// steps, so chunks stay byte-identical.
std::vector<ScaleStep> PlanScaling(const std::vector<Rendition>& renditions);

}  // namespace vodctl
