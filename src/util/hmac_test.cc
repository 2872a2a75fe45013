#include "util/hmac.h"

#include <catch2/catch.hpp>

namespace vodctl {

TEST_CASE("HmacSha256 matches RFC 4231's test case 2") {
  CHECK(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("HexEncode writes two lowercase digits a byte") {
  CHECK(HexEncode(std::string("\x00\x0f\xa0\xff", 4)) == "000fa0ff");
  CHECK(HexEncode("").empty());
}

}  // namespace vodctl
