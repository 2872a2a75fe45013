#include "notify/signature.h"

#include <catch2/catch.hpp>

namespace vodctl::notify {

TEST_CASE("Signature signs the timestamp, a dot and the body, as a receiver recomputes it") {
  // The expected MAC is Python's hmac.new(b"whsec_test", b'1733550000.{"id":"evt_1"}',
  // hashlib.sha256).hexdigest(), what the e2e test's receiver checks against.
  CHECK(Signature("whsec_test", 1733550000, R"({"id":"evt_1"})") ==
        "t=1733550000,v1=89b4ac532200134460aa1ea7f160f664fd640edac030478bc64d3f98df9424fc");
}

TEST_CASE("Signature changes with the body, the time and the secret") {
  const std::string base = Signature("s", 1, "{}");
  CHECK(Signature("s", 1, "{ }") != base);
  CHECK(Signature("s", 2, "{}").substr(2) != base.substr(2));
  CHECK(Signature("t", 1, "{}") != base);
}

}  // namespace vodctl::notify
