#include "pipeline/scale_plan.h"

#include <algorithm>
#include <numeric>

namespace vodctl {
namespace {

// `larger` can stand in for the source picture when scaling to `target`.
bool CanScaleFrom(const Rendition& larger, const Rendition& target) {
  return 2 * larger.height >= 3 * target.height && larger.width >= target.width;
}

}  // namespace

std::vector<ScaleStep> PlanScaling(const std::vector<Rendition>& renditions) {
  std::vector<size_t> order(renditions.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return renditions[a].height > renditions[b].height;
  });
  std::vector<ScaleStep> steps;
  for (size_t i : order) {
    ScaleStep step{i, std::nullopt};
    for (const ScaleStep& made : steps) {  // tallest first: the last match is the smallest
      if (CanScaleFrom(renditions[made.rendition], renditions[i])) step.from = made.rendition;
    }
    steps.push_back(step);
  }
  return steps;
}

}  // namespace vodctl
