#include <catch2/catch.hpp>
#include <cstdint>
#include <locale>
#include <string>
#include <vector>

#include "vodctl/playlist.h"

namespace vodctl::hls {
namespace {

std::string CodecOf(const std::vector<uint8_t>& extradata) {
  return AvcCodecString(extradata.data(), extradata.size());
}

TEST_CASE("AvcCodecString reads an avcC record") {
  // High profile, level 3.1, from an x264 720p encode: one SPS, one PPS.
  const std::vector<uint8_t> avcc = {
      0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x19, 0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40,
      0x50, 0x05, 0xbb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0x20,
      0xf1, 0x83, 0x19, 0x60, 0x01, 0x00, 0x06, 0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0};
  CHECK(CodecOf(avcc) == "avc1.64001f");
  // Constrained baseline 3.0: constraint_set0 and set1 flags.
  CHECK(CodecOf({0x01, 0x42, 0xc0, 0x1e, 0xff, 0xe1}) == "avc1.42c01e");
  CHECK(CodecOf({0x01, 0x4d, 0x40, 0x28}) == "avc1.4d4028");
}

TEST_CASE("AvcCodecString finds the SPS in Annex B") {
  CHECK(CodecOf({0x00, 0x00, 0x00, 0x01, 0x67, 0x42, 0xc0, 0x1e, 0xd9, 0x00}) == "avc1.42c01e");
  CHECK(CodecOf({0x00, 0x00, 0x01, 0x67, 0x64, 0x00, 0x28}) == "avc1.640028");
  // An SEI and a PPS before the SPS; nal_ref_idc bits in the header do not matter.
  CHECK(CodecOf({0x00, 0x00, 0x00, 0x01, 0x06, 0x05, 0x01, 0x80, 0x00, 0x00, 0x01, 0x68,
                 0xce, 0x3c, 0x80, 0x00, 0x00, 0x01, 0x27, 0x4d, 0x40, 0x1f, 0xe8}) ==
        "avc1.4d401f");
}

TEST_CASE("AvcCodecString is empty without a complete SPS") {
  CHECK(AvcCodecString(nullptr, 0) == "");
  CHECK(CodecOf({}) == "");
  CHECK(CodecOf({0x01, 0x64, 0x00}) == "");                          // avcC cut short
  CHECK(CodecOf({0x00, 0x00, 0x00, 0x01, 0x67, 0x42, 0xc0}) == "");  // SPS cut short
  CHECK(CodecOf({0x00, 0x00, 0x01}) == "");
  CHECK(CodecOf({0x00, 0x00, 0x01, 0x68, 0xce, 0x3c, 0x80, 0x00}) == "");  // PPS only
  CHECK(CodecOf({0x67, 0x42, 0xc0, 0x1e}) == "");                          // no start code
  // Bytes past `size` are never read.
  const std::vector<uint8_t> buffer = {0x00, 0x00, 0x01, 0x67, 0x42, 0xc0, 0x1e};
  CHECK(AvcCodecString(buffer.data(), buffer.size() - 1) == "");
}

struct DecimalComma : std::numpunct<char> {
  char do_decimal_point() const override { return ','; }
};

TEST_CASE("FormatDecimal keeps trailing zeros and ignores the locale") {
  CHECK(FormatDecimal(25, 3) == "25.000");
  CHECK(FormatDecimal(29.97002997, 3) == "29.970");
  CHECK(FormatDecimal(6.006, 6) == "6.006000");
  CHECK(FormatDecimal(2.0, 0) == "2");

  const std::locale saved =
      std::locale::global(std::locale(std::locale::classic(), new DecimalComma));
  const std::string formatted = FormatDecimal(23.976, 3);
  std::locale::global(saved);
  CHECK(formatted == "23.976");
}

}  // namespace
}  // namespace vodctl::hls
