#include "util/sha256.h"

#include <catch2/catch.hpp>

namespace vodctl {

TEST_CASE("Sha256 matches the FIPS 180-2 examples") {
  CHECK(Sha256::Of("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256::Of("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("Sha256 gives the same digest fed in pieces") {
  Sha256 pieces;
  pieces.Update("a", 1);
  pieces.Update("bc", 2);
  CHECK(pieces.HexDigest() == Sha256::Of("abc"));
}

}  // namespace vodctl
