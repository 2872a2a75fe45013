#include "media/h264_nal.h"

#include <catch2/catch.hpp>
#include <vector>

namespace vodctl::media {
namespace {

TEST_CASE("NalUnitTypes reads length-prefixed units (MP4)") {
  // AUD (9), SPS (7), IDR slice (5) with 4-byte lengths.
  const std::vector<uint8_t> unit = {0,    0, 0, 2, 0x09, 0xf0, 0, 0,    0,   3,
                                     0x67, 1, 2, 0, 0,    0,    2, 0x65, 0x88};
  CHECK(NalUnitTypes(unit, 4) == std::vector<int>{9, 7, 5});
  // A length running past the end stops the list rather than reading beyond it.
  const std::vector<uint8_t> truncated = {0, 0, 0, 2, 0x41, 0x9a, 0, 0, 0, 9, 0x65};
  CHECK(NalUnitTypes(truncated, 4) == std::vector<int>{1});
}

TEST_CASE("NalUnitTypes finds three- and four-byte start codes (Annex B)") {
  const std::vector<uint8_t> unit = {0, 0,    0,    1, 0x09, 0xf0, 0,    0,
                                     1, 0x67, 0x64, 0, 0,    1,    0x41, 0x9a};
  CHECK(NalUnitTypes(unit, 0) == std::vector<int>{9, 7, 1});
}

TEST_CASE("NalLengthSize reads avcC and treats anything else as Annex B") {
  const std::vector<uint8_t> avcc = {1, 0x64, 0, 0x1f, 0xff, 0xe1};
  CHECK(NalLengthSize(avcc.data(), avcc.size()) == 4);
  const std::vector<uint8_t> annex_b = {0, 0, 0, 1, 0x67};
  CHECK(NalLengthSize(annex_b.data(), annex_b.size()) == 0);
  CHECK(NalLengthSize(nullptr, 0) == 0);
}

}  // namespace
}  // namespace vodctl::media
