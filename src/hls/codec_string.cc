#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "vodctl/playlist.h"

namespace vodctl::hls {
namespace {

std::string FormatAvc(uint8_t profile_idc, uint8_t constraint_flags, uint8_t level_idc) {
  return fmt::format("avc1.{:02x}{:02x}{:02x}", profile_idc, constraint_flags, level_idc);
}

}  // namespace

std::string AvcCodecString(const uint8_t* extradata, size_t size) {
  if (extradata == nullptr) return {};
  const std::span<const uint8_t> bytes(extradata, size);
  // avcC (ISO/IEC 14496-15 5.3.3.1): configurationVersion 1, then the SPS's profile_idc,
  // constraint flags and level_idc copied into bytes 1..3.
  if (bytes.size() >= 4 && bytes[0] == 1) return FormatAvc(bytes[1], bytes[2], bytes[3]);
  // Annex B: a four-byte start code ends with the three-byte one, so searching for
  // 00 00 01 finds both.
  for (size_t i = 0; i + 6 < bytes.size(); ++i) {
    const bool start_code = bytes[i] == 0 && bytes[i + 1] == 0 && bytes[i + 2] == 1;
    constexpr uint8_t kSpsNalType = 7;
    if (start_code && (bytes[i + 3] & 0x1f) == kSpsNalType) {
      return FormatAvc(bytes[i + 4], bytes[i + 5], bytes[i + 6]);
    }
  }
  return {};
}

std::string FormatDecimal(double value, int places) {
  // fmt ignores the C++ and C locales unless asked ("{:L}"), so a decimal comma never appears.
  return fmt::format("{:.{}f}", value, places);
}

}  // namespace vodctl::hls
