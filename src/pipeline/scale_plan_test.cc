#include "pipeline/scale_plan.h"

#include <catch2/catch.hpp>

#include <string>
#include <utility>

namespace vodctl {
namespace {

Rendition Rung(int width, int height) {
  Rendition r;
  r.name = std::to_string(height) + "p";
  r.width = width;
  r.height = height;
  return r;
}

// (rendition's name, name of what it is scaled from or "source"), in the order of the steps.
std::vector<std::pair<std::string, std::string>> Describe(const std::vector<Rendition>& ladder) {
  std::vector<std::pair<std::string, std::string>> described;
  for (const ScaleStep& step : PlanScaling(ladder)) {
    described.emplace_back(ladder[step.rendition].name,
                           step.from ? ladder[*step.from].name : "source");
  }
  return described;
}

using Steps = std::vector<std::pair<std::string, std::string>>;

}  // namespace

TEST_CASE("The default ladder scales its smaller rungs from the 720p picture") {
  CHECK(Describe({Rung(1920, 1080), Rung(1280, 720), Rung(854, 480), Rung(640, 360)}) ==
        Steps{{"1080p", "source"}, {"720p", "1080p"}, {"480p", "720p"}, {"360p", "720p"}});
}

TEST_CASE("A rung less than 1.5 times taller is not scaled from") {
  CHECK(Describe({Rung(1280, 720), Rung(1138, 640), Rung(960, 540)}) ==
        Steps{{"720p", "source"}, {"640p", "source"}, {"540p", "source"}});
}

TEST_CASE("Renditions are made tallest first whatever the ladder's order") {
  CHECK(Describe({Rung(640, 360), Rung(1920, 1080), Rung(426, 240)}) ==
        Steps{{"1080p", "source"}, {"360p", "1080p"}, {"240p", "360p"}});
}

TEST_CASE("A taller but narrower rung is not scaled from") {
  CHECK(Describe({Rung(640, 720), Rung(854, 480)}) ==
        Steps{{"720p", "source"}, {"480p", "source"}});
}

}  // namespace vodctl
