#include "vodctl/env.h"

#include <catch2/catch.hpp>
#include <unistd.h>

namespace vodctl {
namespace {

TEST_CASE("A process identity round trips through its text form", "[env]") {
  const ProcessIdentity identity{.host = "pod-7", .pid = 1, .boot_id = "5e1f0a3b",
                                 .start_ticks = 123456, .pid_namespace = 4026532198,
                                 .nonce = "9c0ffee1"};
  CHECK(identity.ToString() == "pod-7:1:5e1f0a3b:123456:4026532198:9c0ffee1");
  CHECK(ProcessIdentity::Parse(identity.ToString()) == identity);
  CHECK_FALSE(ProcessIdentity::Parse("host:123").has_value());  // an older vodctl's owner
  CHECK_FALSE(ProcessIdentity::Parse("").has_value());
  CHECK_FALSE(ProcessIdentity::Parse("h:1x:b:1:1:n").has_value());
}

TEST_CASE("The real Env knows this process and its boot", "[env]") {
  Env& env = Env::Default();
  const ProcessIdentity& self = env.Self();
  CHECK(self.pid == getpid());
  CHECK(self.boot_id.size() == 8);
  CHECK(self.start_ticks > 0);
  CHECK(env.StartTicksOf(self.pid) == self.start_ticks);
  CHECK(env.LivenessOf(self.ToString()) == Liveness::kAlive);

  ProcessIdentity other = self;
  other.nonce = "ffffffff";
  other.start_ticks += 1;  // what held this pid before this process
  CHECK(env.LivenessOf(other.ToString()) == Liveness::kGone);
  other.host += "-elsewhere";
  CHECK(env.LivenessOf(other.ToString()) == Liveness::kUnknown);
  CHECK(env.LivenessOf(self.host + ":1") == Liveness::kUnknown);

  const auto before = env.MonotonicNow();
  CHECK(env.MonotonicNow() >= before);
}

}  // namespace
}  // namespace vodctl
