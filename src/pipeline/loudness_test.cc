#include "pipeline/loudness.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>

namespace vodctl {
namespace {

media::Loudness Measured(double integrated, double true_peak) {
  return {.integrated_lufs = integrated, .range_lu = 5, .true_peak_dbtp = true_peak};
}

TEST_CASE("A loud programme is turned down to the target without a limiter") {
  const LoudnessPlan plan = PlanLoudness(Measured(-8, -0.1), -16, -1);
  CHECK(plan.gain_db == Approx(-8));
  CHECK_FALSE(plan.limit_dbfs);
  CHECK(plan.FilterChain() == "volume=volume=-8.0000dB:precision=float");
}

TEST_CASE("A quiet programme is turned up; the limiter comes in only past the ceiling") {
  SECTION("peaks stay below the ceiling less the codec's headroom") {
    const LoudnessPlan plan = PlanLoudness(Measured(-40, -28), -16, -1);
    CHECK(plan.gain_db == Approx(24));
    CHECK_FALSE(plan.limit_dbfs);  // -28 + 24 = -4 dBTP
  }
  SECTION("peaks would go over") {
    const LoudnessPlan plan = PlanLoudness(Measured(-30, -10), -16, -1);
    CHECK(plan.gain_db == Approx(14));
    REQUIRE(plan.limit_dbfs);  // -10 + 14 = +4 dBTP
    CHECK(*plan.limit_dbfs == Approx(-1 - kCodecHeadroomDb));
    CHECK(plan.FilterChain() ==
          "volume=volume=14.0000dB:precision=float,"
          "alimiter=limit=0.794328:level=0:latency=1:attack=5:release=50");
  }
  SECTION("just inside the headroom") {
    CHECK_FALSE(PlanLoudness(Measured(-20, -6.01), -16, -1).limit_dbfs);
    CHECK(PlanLoudness(Measured(-20, -5.99), -16, -1).limit_dbfs);
  }
}

TEST_CASE("Silence gets no gain, a near-silent track no more than the cap") {
  CHECK(PlanLoudness(Measured(-70, -INFINITY), -16, -1).gain_db == 0);
  CHECK(PlanLoudness(Measured(-65, -50), -16, -1).gain_db == Approx(kMaxGainDb));
}

TEST_CASE("Loudness figures as JSON: rounded, and silence's peak as null") {
  const nlohmann::json j = LoudnessJson(Measured(-23.456, -INFINITY));
  CHECK(j.at("integrated") == Approx(-23.46));
  CHECK(j.at("range") == 5);
  CHECK(j.at("true_peak").is_null());
}

}  // namespace
}  // namespace vodctl
